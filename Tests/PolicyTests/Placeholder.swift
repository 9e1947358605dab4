import XCTest

final class PolicyPlaceholderTests: XCTestCase {}
