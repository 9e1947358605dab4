import XCTest

final class PatternMatchPlaceholderTests: XCTestCase {}
