import XCTest
import S1Engine
