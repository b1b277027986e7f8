import XCTest
import S1Runner
