import XCTest

final class DatastorePlaceholderTests: XCTestCase {}
