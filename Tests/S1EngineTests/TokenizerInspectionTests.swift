import Foundation
import S1Engine
import XCTest

final class TokenizerInspectionTests: XCTestCase {
    func testTokenizeWithBytes() throws {
        let tokenizer = try TokenizerInspection.loadTokenizer("bytes")
        let report = TokenizerInspection.tokenize("<|im_end|>A\n", with: tokenizer, name: "bytes")
        XCTAssertEqual(report.ids, [258, 65, 10])
        XCTAssertEqual(report.tokens.map(\.piece), ["<|im_end|>", "A", "<0x0A>"])
        XCTAssertEqual(report.tokens.map(\.bytes), ["3c7c696d5f656e647c3e", "41", "0a"])
        XCTAssertEqual(report.text, "<|im_end|>A\n")
        // Hand-written expected JSON: sorted keys, stable layout.
        let json = report.json()
        XCTAssertTrue(json.hasPrefix("{\n  \"ids\" : [\n    258,\n    65,\n    10\n  ],\n  \"text\" : \"<|im_end|>A\\n\",\n  \"tokenizer\" : \"bytes\","), json)
        let decoded = try JSONDecoder().decode(TokenizerInspection.Report.self, from: Data(json.utf8))
        XCTAssertEqual(decoded, report)
        XCTAssertTrue(report.text().contains("258\t<|im_end|>"))
    }

    func testDecodeValidatesIDs() throws {
        let tokenizer = ByteTokenizer()
        let ids = try TokenizerInspection.parseIDs("104, 105,258")
        XCTAssertEqual(ids, [104, 105, 258])
        XCTAssertEqual(try TokenizerInspection.decode(ids, with: tokenizer, name: "bytes").text, "hi<|im_end|>")
        XCTAssertThrowsError(try TokenizerInspection.parseIDs("1,x,3")) {
            XCTAssertEqual($0 as? TokenizerError, .invalidIDList(text: "1,x,3", index: 1, element: "x"))
        }
        XCTAssertThrowsError(try TokenizerInspection.decode([1, 259], with: tokenizer, name: "bytes")) {
            XCTAssertEqual($0 as? TokenizerError, .idOutOfRange(id: 259, vocabularySize: 259))
        }
    }

    func testLoadsTokenizerJSONFromFileOrFolder() throws {
        let folder = TokenizerBPETests.folder
        let fromFolder = try TokenizerInspection.loadTokenizer(folder.path)
        let fromFile = try TokenizerInspection.loadTokenizer(folder.appendingPathComponent("tokenizer.json").path)
        XCTAssertEqual(fromFolder.encode("Hello world"), fromFile.encode("Hello world"))
        XCTAssertThrowsError(try TokenizerInspection.loadTokenizer("/nonexistent/tok.json"))
    }
}
