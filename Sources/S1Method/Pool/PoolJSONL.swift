// JSONL import/export of pool records. The Runner reads and writes the files; this is bytes ↔ values.
import Foundation

/// A malformed record in a JSONL pool: where it is, which field, what was expected and found.
public struct PoolFormatError: Error, Equatable, CustomStringConvertible {
    /// The name of the input (a path as the user wrote it, or a label).
    public var source: String
    /// 1-based line number.
    public var line: Int
    /// Dotted path of the offending field (`thinking_trajectories.0`), or nil when the line is not an object.
    public var field: String?
    public var expected: String
    public var found: String

    public var description: String {
        let location = "\(source):\(line)" + (field.map { ": field '\($0)'" } ?? "")
        return "\(location): expected \(expected), found \(found); fix or remove this record"
    }
}

extension PoolRecord {
    // Lenient where s1K exports differ (missing descriptive fields become empty, which the quality filter then
    // counts); strict on types, so a wrong type is reported rather than silently coerced.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        question = try c.decode(String.self, forKey: .question)
        solution = try c.decodeIfPresent(String.self, forKey: .solution) ?? ""
        cotType = try c.decodeIfPresent(String.self, forKey: .cotType) ?? ""
        sourceType = try c.decodeIfPresent(String.self, forKey: .sourceType) ?? ""
        metadata = try c.decodeIfPresent(String.self, forKey: .metadata) ?? ""
        // s1K-1.1 stores one trace per teacher as a string; take DeepSeek's (the 1.1 release's), else Gemini's.
        let alias = try decoder.container(keyedBy: S1K11Keys.self)
        if !c.contains(.thinkingTrajectories), !c.contains(.attempt),
           let teacher = [S1K11Keys.deepseekThinkingTrajectory, .geminiThinkingTrajectory].first(where: alias.contains) {
            thinkingTrajectories = [try alias.decode(String.self, forKey: teacher)]
            attempt = try alias.decode(String.self, forKey: teacher == .deepseekThinkingTrajectory ? .deepseekAttempt : .geminiAttempt)
        } else {
            thinkingTrajectories = try c.decode([String].self, forKey: .thinkingTrajectories)
            attempt = try c.decode(String.self, forKey: .attempt)
        }
        domain = try c.decodeIfPresent(String.self, forKey: .domain)
        traceTokens = try c.decodeIfPresent(Int.self, forKey: .traceTokens)
        teacherCorrect = try c.decodeIfPresent(Bool.self, forKey: .teacherCorrect)
        baseResults = try c.decodeIfPresent([String: Bool].self, forKey: .baseResults)
        options = try c.decodeIfPresent([String].self, forKey: .options)
    }
}

/// The per-teacher field names of s1K-1.1, read when `thinking_trajectories` and `attempt` are absent.
enum S1K11Keys: String, CodingKey {
    case deepseekThinkingTrajectory = "deepseek_thinking_trajectory"
    case deepseekAttempt = "deepseek_attempt"
    case geminiThinkingTrajectory = "gemini_thinking_trajectory"
    case geminiAttempt = "gemini_attempt"
}

/// Reads and writes pools as JSON Lines: one record per line, keys sorted, so equal pools are equal bytes.
public enum PoolJSONL {
    /// The bytes of `records`, one sorted-key JSON object per line, each line ending in `\n`.
    public static func encode(_ records: [PoolRecord]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for record in records {
            out.append(try encoder.encode(record))
            out.append(0x0A)
        }
        return out
    }

    /// Parses JSONL bytes; blank lines are skipped. Throws `PoolFormatError` naming the first bad line and field.
    public static func decode(_ data: Data, source: String) throws -> [PoolRecord] {
        let decoder = JSONDecoder()
        var records: [PoolRecord] = []
        var lineNumber = 0
        for var line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            do {
                records.append(try decoder.decode(PoolRecord.self, from: Data(line)))
            } catch let error as DecodingError {
                throw formatError(error, source: source, line: lineNumber)
            }
        }
        return records
    }

    static func formatError(_ error: DecodingError, source: String, line: Int) -> PoolFormatError {
        func path(_ codingPath: [CodingKey]) -> String? {
            codingPath.isEmpty ? nil : codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(type, context):
            return PoolFormatError(source: source, line: line, field: path(context.codingPath),
                                   expected: "a value of type \(type)", found: "another type (\(context.debugDescription))")
        case let .valueNotFound(type, context):
            return PoolFormatError(source: source, line: line, field: path(context.codingPath),
                                   expected: "a value of type \(type)", found: "null")
        case let .keyNotFound(key, context):
            return PoolFormatError(source: source, line: line, field: path(context.codingPath + [key]),
                                   expected: "this required field", found: "it missing")
        case let .dataCorrupted(context):
            return PoolFormatError(source: source, line: line, field: path(context.codingPath),
                                   expected: "one JSON object per line", found: "invalid JSON")
        @unknown default:
            return PoolFormatError(source: source, line: line, field: nil, expected: "a pool record",
                                   found: "\(error)")
        }
    }
}
