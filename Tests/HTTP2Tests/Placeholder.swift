import XCTest

final class HTTP2PlaceholderTests: XCTestCase {}
