import XCTest
import S1Spec
