import XCTest

final class HTTPPlaceholderTests: XCTestCase {}
