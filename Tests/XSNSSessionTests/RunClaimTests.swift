import Foundation
import Testing
import XSNSSession
import XSNSStorage
import XSNSTestSupport

struct RunClaimTests {
    @Test func aSecondClaimIsRefusedNamingTheHolder() throws {
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        let claim = try store.claim(language: "en", seed: 42)
        #expect(claim.owner.pid == getpid())
        #expect(claim.takenOverFrom == nil)
        do {
            _ = try store.claim(language: "en", seed: 42)
            Issue.record("claimed twice")
        } catch let held as ClaimHeld {
            #expect(held.holder == claim.owner)
            #expect(held.description.contains("en seed 42 is already being computed by pid \(getpid()) on \(claim.owner.host) since"))
        }
        // Other pairs are free.
        let other = try store.claim(language: "en", seed: 16)
        other.release()
        claim.release()
        let again = try store.claim(language: "en", seed: 42)
        #expect(again.takenOverFrom == nil, "a released claim is not stale")
    }

    @Test func aClaimLeftByADeadProcessIsTakenOver() throws {
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        // What a `kill -9`ed holder leaves: its name in the file, and no lock (the kernel dropped it).
        let dead = ClaimOwner(pid: 999_999, host: ProcessInfo.processInfo.hostName, started: "2026-01-01T00:00:00Z")
        let folder = store.folder.appendingPathComponent("claims/fi.seed1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try JSONEncoder().encode(dead).write(to: folder.appendingPathComponent("1.claim"))
        let claim = try store.claim(language: "fi", seed: 1)
        #expect(claim.takenOverFrom == dead)
        let next = folder.appendingPathComponent("2.claim")
        #expect(try JSONDecoder().decode(ClaimOwner.self, from: Data(contentsOf: next)) == claim.owner)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("1.claim").path), "the stale claim is cleaned up")
    }

    @Test func aClaimDiesWithItsProcess() throws {
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        do {
            let claim = try store.claim(language: "et", seed: 3)
            _ = claim
        }
        // The claim went out of scope (as it does when a process ends): the pair is free again.
        _ = try store.claim(language: "et", seed: 3)
    }

    @Test(arguments: ["", "../x", "a/b", "en us", "é"])
    func invalidLanguageCodesAreInputErrors(_ code: String) throws {
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        #expect(throws: InputError.self) { try store.claim(language: code, seed: 1) }
    }
}
