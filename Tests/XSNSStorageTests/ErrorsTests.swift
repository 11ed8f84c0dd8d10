import Testing
import XSNSStorage

@Suite struct ErrorsTests {
    @Test(arguments: [
        ("plain message", "f.txt: plain message"),
        ("tensor \"a\nb\" is bad", "f.txt: tensor \"a\\u{a}b\" is bad"),
        ("escape \u{1B}[2J here", "f.txt: escape \\u{1b}[2J here"),
        ("del \u{7F} and c1 \u{85}", "f.txt: del \\u{7f} and c1 \\u{85}"),
        ("ünïcödé and 中文 stay", "f.txt: ünïcödé and 中文 stay"),
    ])
    func inputErrorsAreAlwaysOneCleanLine(message: String, expected: String) {
        #expect(InputError(file: "f.txt", message).description == expected)
    }

    @Test func runtimeFailuresAreEscapedToo() {
        #expect(RuntimeFailure("disk\rfull").description == "disk\\u{d}full")
    }
}
