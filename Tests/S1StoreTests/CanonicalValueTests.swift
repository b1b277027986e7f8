import Foundation
import S1Store
import XCTest

final class CanonicalValueTests: XCTestCase {
    private func text(_ value: CanonicalValue) throws -> String {
        String(decoding: try value.canonicalJSON(), as: UTF8.self)
    }

    func testKeysSortedNoWhitespaceNested() throws {
        let value: CanonicalValue = ["b": 1, "a": [true, nil, "x", ["z": 1, "y": [:]]], "": false]
        XCTAssertEqual(try text(value), #"{"":false,"a":[true,null,"x",{"y":{},"z":1}],"b":1}"#)
    }

    /// The same number written differently encodes (and hashes) the same.
    func testNumbersNormalised() throws {
        let a = CanonicalValue.number(Double("1e-5")!)
        let b = CanonicalValue.number(Double("0.00001")!)
        XCTAssertEqual(try text(a), "0.00001")
        XCTAssertEqual(try a.digest(), try b.digest())
        XCTAssertEqual(try text(.number(1.0)), try text(.int(1)))
        XCTAssertEqual(try CanonicalValue.object(["lr": .number(Double("1E+2")!)]).digest(),
                       try CanonicalValue.object(["lr": .int(100)]).digest())
        XCTAssertNotEqual(try text(.number(1.0)), try text(.string("1")))
    }

    /// Reference outputs of ECMAScript Number::toString (as used by RFC 8785), checked by hand.
    func testNumberFormsMatchECMAScript() throws {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (1.5, "1.5"), (100, "100"), (0.1 + 0.2, "0.30000000000000004"),
            (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (123456789, "123456789"),
            (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e300, "1.5e+300"), (9007199254740992, "9007199254740992"),
            (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (-2.5e-5, "-0.000025"),
            (0.000123, "0.000123"), (12345.678, "12345.678"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(try text(.number(value)), expected, "\(value)")
        }
        XCTAssertEqual(try text(.int(Int64.min)), "-9223372036854775808")
    }

    /// Keys sort by UTF-8 bytes, which differs from UTF-16 order for characters above U+FFFF.
    func testUnicodeKeysSortedByUTF8Bytes() throws {
        let value: CanonicalValue = .object(["\u{10000}": 1, "\u{FF41}": 2, "é": 3, "z": 4, "Z": 5, "ab": 6, "a": 7])
        XCTAssertEqual(try text(value), "{\"Z\":5,\"a\":7,\"ab\":6,\"z\":4,\"é\":3,\"\u{FF41}\":2,\"\u{10000}\":1}")
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try text(.string("a\"b\\c\n\t\u{1}\u{1f}/é")), #""a\"b\\c\n\t\u0001\u001f/é""#)
    }

    func testNonFiniteRejectedWithPath() {
        let value: CanonicalValue = ["train": ["lr": .number(.nan)], "x": [1, .number(.infinity)]]
        XCTAssertThrowsError(try value.canonicalJSON()) { error in
            guard case .nonFiniteNumber(let path, _)? = error as? CanonicalEncodingError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, "$.train.lr")  // keys are visited in sorted order
        }
        XCTAssertThrowsError(try CanonicalValue.array([.number(-.infinity)]).digest()) { error in
            XCTAssertEqual(error as? CanonicalEncodingError, .nonFiniteNumber(path: "$[0]", value: -.infinity))
        }
    }

    /// Stored encodings read back with their exact kinds and re-encode to the same bytes.
    func testJSONRoundTripKeepsKinds() throws {
        let value: CanonicalValue = ["flag": true, "one": 1, "half": 0.5, "big": .int(Int64.max), "none": nil,
                                     "list": [false, 0, "0", [:], []], "name": "é\n"]
        let bytes = try value.canonicalJSON()
        let parsed = try CanonicalValue(json: bytes)
        XCTAssertEqual(parsed, value)
        XCTAssertEqual(try parsed.canonicalJSON(), bytes)
        XCTAssertEqual(try CanonicalValue(json: Data("[1, 1.5, true]".utf8)), [.int(1), .number(1.5), .bool(true)])
        XCTAssertThrowsError(try CanonicalValue(json: Data("{\"a\": }".utf8), source: "steps/x/key.json")) { error in
            XCTAssertTrue("\(error)".hasPrefix("steps/x/key.json: expected JSON"), "\(error)")
        }
    }

    func testDigestIsSHA256OfEncoding() throws {
        let value: CanonicalValue = ["seed": 42, "name": "s1"]
        XCTAssertEqual(try text(value), #"{"name":"s1","seed":42}"#)
        XCTAssertEqual(try value.digest(), ContentHasher.digest(of: Data(#"{"name":"s1","seed":42}"#.utf8)))
    }
}
