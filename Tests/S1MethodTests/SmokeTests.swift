import XCTest
import S1Method
