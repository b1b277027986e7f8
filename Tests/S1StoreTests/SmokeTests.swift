import XCTest
import S1Store
