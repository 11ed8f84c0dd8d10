import Foundation
import Testing
import XSNSTestSupport

@Suite struct ExitStatusTests {
    @Test func unknownOptionIsBadUsage() throws {
        let result = try XSNSBinary.run(["--no-such-option"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-option"))
    }

    @Test func helpSucceeds() throws {
        let result = try XSNSBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: xsns"))
    }
}
