import Foundation
import S1Engine
import XCTest

/// Parity with the `tokenizers` package on the fixture made by scripts/make_tokenizer_fixtures.py.
final class TokenizerBPETests: XCTestCase {
    static var folder: URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/tokenizer-bpe") }

    struct Cases: Decodable {
        struct Encode: Decodable { let text: String; let ids: [Int32]; let tokens: [String]; let decoded: String }
        struct Decode: Decodable { let ids: [Int32]; let decoded: String }
        let vocab_size: Int
        let encode: [Encode]
        let decode: [Decode]
    }

    func load() throws -> (BPETokenizer, Cases) {
        let tokenizer = try BPETokenizer(contentsOf: Self.folder.appendingPathComponent("tokenizer.json"))
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: Self.folder.appendingPathComponent("cases.json")))
        return (tokenizer, cases)
    }

    func testEncodeMatchesTokenizers() throws {
        let (tokenizer, cases) = try load()
        XCTAssertEqual(tokenizer.vocabularySize, cases.vocab_size)
        XCTAssertGreaterThan(cases.encode.count, 30)
        for c in cases.encode {
            let ids = tokenizer.encode(c.text)
            XCTAssertEqual(ids, c.ids, "text: \(c.text.debugDescription)")
            XCTAssertEqual(ids.map { tokenizer.piece(for: $0) ?? "?" }, c.tokens, "text: \(c.text.debugDescription)")
        }
    }

    func testDecodeMatchesTokenizers() throws {
        let (tokenizer, cases) = try load()
        for c in cases.encode { XCTAssertEqual(tokenizer.decode(c.ids), c.decoded, "ids: \(c.ids)") }
        // Includes prefixes that cut a 4-byte emoji: U+FFFD as from_utf8_lossy.
        for c in cases.decode { XCTAssertEqual(tokenizer.decode(c.ids), c.decoded, "ids: \(c.ids)") }
    }

    func testRoundTripOfNFCText() throws {
        let (tokenizer, cases) = try load()
        for c in cases.encode {
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(c.text)), c.text.precomposedStringWithCanonicalMapping)
        }
    }

    func testSpecialTokens() throws {
        let (tokenizer, _) = try load()
        let start = try XCTUnwrap(tokenizer.specialTokenID("<|im_start|>"))
        let end = try XCTUnwrap(tokenizer.specialTokenID("<|im_end|>"))
        let ids = tokenizer.encode("<|im_start|>x<|im_end|>")
        XCTAssertEqual(ids.first, start)
        XCTAssertEqual(ids.last, end)
        XCTAssertNil(tokenizer.specialTokenID("Wait"))
    }

    func testMalformedTokenizerJSONNamesPathAndKey() throws {
        func error(_ json: String) -> TokenizerError? {
            do {
                _ = try BPETokenizer(jsonData: Data(json.utf8), path: "t.json")
                return nil
            } catch { return error as? TokenizerError }
        }
        guard case .invalidJSON(let path, _)? = error("{") else { return XCTFail("expected invalidJSON") }
        XCTAssertEqual(path, "t.json")
        XCTAssertEqual(error("{}"), .malformed(path: "t.json", key: "model", expected: "an object", found: "nothing"))
        guard case .malformed(_, let key, _, _)? = error(#"{"model": {"type": "BPE", "vocab": {"a": "x"}, "merges": []}}"#) else {
            return XCTFail("expected malformed vocab")
        }
        XCTAssertEqual(key, "model.vocab[\"a\"]")
        XCTAssertEqual(error(#"{"model": {"type": "Unigram"}}"#), .unsupported(path: "t.json", key: "model.type", value: "model 'Unigram'"))

        // A full byte alphabet (the fixture), then broken merges and pre-tokenizers.
        var root = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("tokenizer.json"))) as! [String: Any]
        var model = root["model"] as! [String: Any]
        model["merges"] = [["a", "b"], ["Ġ", "nonexistent-piece"]]
        root["model"] = model
        guard case .malformed(_, let mergeKey, _, _)? = error(String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)) else {
            return XCTFail("expected malformed merge")
        }
        XCTAssertEqual(mergeKey, "model.merges[1]")
        model["merges"] = []
        root["model"] = model
        root["pre_tokenizer"] = ["type": "Split", "pattern": ["Regex": "(unclosed"], "behavior": "Isolated", "invert": false]
        guard case .invalidRegex(_, let regexKey, _, _)? = error(String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)) else {
            return XCTFail("expected invalidRegex")
        }
        XCTAssertEqual(regexKey, "pre_tokenizer.pattern")
        root["pre_tokenizer"] = ["type": "Metaspace"]
        XCTAssertEqual(error(String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)),
                       .unsupported(path: "t.json", key: "pre_tokenizer.type", value: "pre-tokenizer 'Metaspace'"))
        XCTAssertThrowsError(try BPETokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))) {
            XCTAssertEqual($0 as? TokenizerError, .fileNotFound(path: "/nonexistent/tokenizer.json"))
        }
    }
}
