import XCTest
import S1Engine

final class EngineEnvironmentTests: XCTestCase {
    func testConfigurePinsBLASThreadsAndRecordsKernel() {
        let two = EngineEnvironment.configure(blasThreads: 2)
        XCTAssertEqual(two.blasThreads, 2)
        let one = EngineEnvironment.configure(blasThreads: 1)
        XCTAssertEqual(one.blasThreads, 1)
        XCTAssertFalse(one.blasCoreName.isEmpty)
        XCTAssertNotEqual(one.fingerprint.map(\.value), two.fingerprint.map(\.value))
        let keys = one.fingerprint.map(\.key)
        XCTAssertEqual(keys, keys.sorted())
        XCTAssertEqual(one.cpuFlags, one.cpuFlags.sorted())
    }
}
