import XCTest
import S1Report
