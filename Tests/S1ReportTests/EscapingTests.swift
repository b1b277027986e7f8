import XCTest
import S1Report

final class EscapingTests: XCTestCase {
    func testScriptTitleAndPipesRenderInertInHTML() {
        let html = HTMLReport.render(Sample.document(title: "<script>alert('x')</script> a|b & c"))
        XCTAssertFalse(html.lowercased().contains("<script"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; a|b &amp; c"))
        // Text inside SVG (trace titles, table captions) is escaped too.
        XCTAssertFalse(html.contains("<budget 64>"))
        XCTAssertFalse(html.contains("<|end_think|>"))
        XCTAssertTrue(html.contains("&lt;|end_think|&gt;"))
        XCTAssertFalse(html.contains("<style>\nTable 3"))
        XCTAssertEqual(occurrences(of: "<style>", in: html), 1)
    }

    func testScriptTitleAndPipesRenderInertInMarkdown() {
        let md = MarkdownReport.render(Sample.document(title: "<script>x</script> a|b"))
        XCTAssertFalse(md.lowercased().contains("<script"))
        XCTAssertTrue(md.hasPrefix("# &lt;script&gt;x&lt;/script&gt; a\\|b\n"))
        // A cell value containing a pipe stays one cell.
        XCTAssertTrue(md.contains("| TCC \\| tokens |"))
    }

    func testHTMLEscapeCoversAllSpecialCharacters() {
        XCTAssertEqual(Escape.html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(Escape.html("plain ünïcode"), "plain ünïcode")
    }

    func testMarkdownInlineEscapesStructureButNotNumbers() {
        XCTAssertEqual(Escape.markdownInline("a|b\nc"), "a\\|b<br>c")
        XCTAssertEqual(Escape.markdownInline("*x* _y_ [z] `w`"), "\\*x\\* \\_y\\_ \\[z\\] \\`w\\`")
        XCTAssertEqual(Escape.markdownInline("- item"), "\\- item")
        XCTAssertEqual(Escape.markdownInline("---"), "\\---")
        XCTAssertEqual(Escape.markdownInline("1. first"), "1\\. first")
        XCTAssertEqual(Escape.markdownInline("-0.5"), "-0.5")
        XCTAssertEqual(Escape.markdownInline("12.5%"), "12.5%")
    }
}
