import S1Engine

/// The template's strings, as the spec resolves them (`template.*`).
struct TemplateStrings: Decodable, Sendable {
    let system_prompt: String
    let think_start: String
    let think_end: String
    let answer_end: String
    let final_answer: String
}

/// The Qwen2.5 chat layout of docs/METHOD.md §2, in token ids, with the loss masks that training needs.
///
/// `<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n`, then
/// for an s1 sample `{think_start}\n{thinking}\n{think_end}\nAnswer: {attempt}{answer_end}`.
struct ChatFormat {
    let template: TemplateStrings
    let tokenizer: any TextTokenizer

    /// Everything up to and including the assistant turn's start.
    func promptText(question: String) -> String {
        "<|im_start|>system\n\(template.system_prompt)<|im_end|>\n<|im_start|>user\n\(question)<|im_end|>\n<|im_start|>assistant\n"
    }

    func prompt(question: String) -> [Int32] {
        tokenizer.encode(promptText(question: question))
    }

    /// The prompt followed by the think start: where thinking begins.
    func thinkingPrompt(question: String) -> [Int32] {
        tokenizer.encode(promptText(question: question) + template.think_start + "\n")
    }

    enum LossPart: String, Decodable { case question, thinking, answer }

    /// An s1 training sample: loss on the parts listed (the paper: thinking and answer).
    func sftExample(question: String, thinking: String, attempt: String, lossOn: Set<LossPart>) -> TrainingExample {
        let promptIDs = prompt(question: question)
        let thinkingIDs = tokenizer.encode(template.think_start + "\n" + thinking + "\n" + template.think_end + "\n")
        let answerIDs = tokenizer.encode("Answer: " + attempt + template.answer_end)
        return TrainingExample(
            tokens: promptIDs + thinkingIDs + answerIDs,
            lossMask: [Bool](repeating: lossOn.contains(.question), count: promptIDs.count)
                + [Bool](repeating: lossOn.contains(.thinking), count: thinkingIDs.count)
                + [Bool](repeating: lossOn.contains(.answer), count: answerIDs.count))
    }

    /// A direct answer without thinking, as an instruction-tuned base model gives it: loss on the answer.
    func directAnswerExample(question: String, answer: String) -> TrainingExample {
        let promptIDs = prompt(question: question)
        let answerIDs = tokenizer.encode("Answer: " + answer + template.answer_end)
        return TrainingExample(tokens: promptIDs + answerIDs,
                               lossMask: [Bool](repeating: false, count: promptIDs.count) + [Bool](repeating: true, count: answerIDs.count))
    }

    /// A worked solution in plain "textbook" form, without the chat template or think delimiters: the base models
    /// learn the task language from these, so fine-tuning only has to teach the format and when to stop.
    func workedSolutionExample(question: String, solution: String, answer: String) -> TrainingExample {
        let ids = tokenizer.encode("Problem: \(question)\nSolution:\n\(solution)\nAnswer: \(answer)\n")
        return TrainingExample(tokens: ids, lossMask: [Bool](repeating: true, count: ids.count))
    }
}
