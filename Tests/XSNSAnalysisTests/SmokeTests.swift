import Foundation
import Testing
import XSNSTestSupport

@Test func fixturesFolderExists() {
    #expect(FileManager.default.fileExists(atPath: Fixtures.repositoryRoot.appendingPathComponent("Package.swift").path))
}
