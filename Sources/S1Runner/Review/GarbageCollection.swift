import Foundation
import S1Store

/// `s1 gc`: removes step records and objects that no recorded run references.
extension Workspace {
    public struct CollectionSummary {
        public let recordsRemoved: Int
        public let objectsRemoved: Int
        public let bytesFreed: Int64
    }

    public func collectGarbage() throws -> CollectionSummary {
        let lock = try StoreLock.acquire(root: storeRoot, exclusive: true, wait: true)
        defer { lock.close() }
        let records = StepRecordStore(root: storeRoot)
        var keptRecords: Set<String> = []
        var keptObjects: Set<Digest> = []
        for id in runIDs() {
            let run = try RunDirectory(url: runsDirectory.appendingPathComponent(id))
            let record = try run.record()
            for input in record.inputs { keptObjects.insert(input.digest) }
            for step in record.steps {
                keptRecords.insert(step.key.hex)
                keptObjects.formUnion(step.outputs.map(\.digest))
                if let stepRecord = records.record(for: step.key) {
                    keptObjects.insert(stepRecord.keyMaterial)
                    if let log = stepRecord.log { keptObjects.insert(log) }
                }
            }
        }
        var recordsRemoved = 0
        for key in records.allRecordKeys() where !keptRecords.contains(key) {
            try FileManager.default.removeItem(at: records.recordsDirectory.appendingPathComponent("\(key).json"))
            recordsRemoved += 1
        }
        let store = try ContentStore(root: storeRoot)
        let collected = try store.collectGarbage(keeping: keptObjects)
        let (objectsRemoved, bytesFreed) = (collected.removed, collected.bytes)
        try? FileManager.default.removeItem(at: storeRoot.appendingPathComponent("tmp"))
        return CollectionSummary(recordsRemoved: recordsRemoved, objectsRemoved: objectsRemoved, bytesFreed: bytesFreed)
    }
}
