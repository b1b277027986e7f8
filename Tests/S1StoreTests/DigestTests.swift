import Foundation
import S1Store
import XCTest

final class DigestTests: XCTestCase {
    // FIPS 180-2 / NIST example vectors.
    func testKnownVectors() {
        XCTAssertEqual(
            ContentHasher.digest(of: Data()).description,
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            ContentHasher.digest(of: Data("abc".utf8)).description,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            ContentHasher.digest(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).hex,
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testParsingRoundTripsAndRejectsMalformed() throws {
        let digest = ContentHasher.digest(of: Data("abc".utf8))
        XCTAssertEqual(Digest(parsing: digest.description), digest)
        XCTAssertEqual(Digest(parsing: "sha256:" + digest.hex.uppercased()), digest)
        XCTAssertEqual(digest.short, "ba7816bf8f01")
        XCTAssertNil(Digest(parsing: digest.hex))  // no algorithm
        XCTAssertNil(Digest(parsing: "sha1:" + digest.hex))
        XCTAssertNil(Digest(parsing: "sha256:" + digest.hex.dropLast()))
        XCTAssertNil(Digest(parsing: "sha256:" + digest.hex.dropLast() + "g"))
        let json = try JSONEncoder().encode([digest])
        XCTAssertEqual(String(decoding: json, as: UTF8.self), "[\"\(digest.description)\"]")
        XCTAssertEqual(try JSONDecoder().decode([Digest].self, from: json), [digest])
        XCTAssertThrowsError(try JSONDecoder().decode([Digest].self, from: Data("[\"sha256:zz\"]".utf8)))
    }

    func testOrderingIsByBytes() {
        let a = Digest(bytes: [UInt8](repeating: 0, count: 31) + [1])!
        let b = Digest(bytes: [1] + [UInt8](repeating: 0, count: 31))!
        XCTAssertLessThan(a, b)
        XCTAssertNil(Digest(bytes: [1, 2, 3]))
    }

    /// Streaming over several buffers matches in-memory hashing and coreutils' sha256sum.
    func testFileDigestMatchesInMemoryAndSha256sum() throws {
        let dir = try makeTemporaryDirectory(self)
        let file = dir.appendingPathComponent("big.bin")
        var bytes = [UInt8](repeating: 0, count: 3 * ContentHasher.readBufferSize + 12345)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        try Data(bytes).write(to: file)
        let streamed = try ContentHasher.digestAndSize(ofFile: file.path)
        XCTAssertEqual(streamed.size, Int64(bytes.count))
        XCTAssertEqual(streamed.digest, ContentHasher.digest(of: Data(bytes)))
        let reference = try runCommand(["sha256sum", file.path])
        XCTAssertEqual(reference.status, 0)
        XCTAssertEqual(String(reference.stdout.prefix(64)), streamed.digest.hex)
        XCTAssertThrowsError(try ContentHasher.digest(ofFile: dir.appendingPathComponent("absent").path)) { error in
            XCTAssertEqual((error as? StoreIOError)?.code, ENOENT)
        }
    }
}
