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

    /// The race CI once hit: a loser must never find the winner's claim file without its name in it.
    @Test func contendersAlwaysFindTheWinnerNamed() throws {
        for round in 0..<20 {
            let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
            let lock = NSLock()
            nonisolated(unsafe) var winners: [RunClaim] = []
            nonisolated(unsafe) var holders: [ClaimOwner?] = []
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do {
                    let claim = try store.claim(language: "de", seed: round)
                    lock.withLock { winners.append(claim) }
                } catch let held as ClaimHeld {
                    lock.withLock { holders.append(held.holder) }
                } catch {
                    Issue.record("\(error)")
                }
            }
            #expect(winners.count == 1 && holders.count == 7)
            #expect(holders.allSatisfy { $0 != nil && $0 == winners.first?.owner }, "\(holders)")
            let folder = store.folder.appendingPathComponent("claims/de.seed\(round)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["1.claim"], "no private files left")
            winners.forEach { $0.release() }
        }
    }

    @Test func aClaimLeftByADeadProcessIsTakenOver() throws {
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        // What a `kill -9`ed holder leaves: its name in its claim file, and no process of that pid here.
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

    /// A claim file its holder has not written yet is live for a few seconds, then abandoned; a holder's
    /// own (longer) TTL is honoured by contenders with a shorter one.
    @Test func unnamedAndLongLivedClaims() throws {
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        let folder = store.folder.appendingPathComponent("claims/de.seed2")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let empty = folder.appendingPathComponent("1.claim")
        // Claims are linked into place with their holder's name, so an empty one is damage: taken over at once.
        try Data().write(to: empty)
        let taken = try store.claim(language: "de", seed: 2)
        #expect(taken.takenOverFrom == nil, "an unnamed claim names nobody")
        taken.release()

        let patient = ClaimOwner(pid: 1, host: "node-x", started: "2026-12-01T00:00:00Z", ttl: 3600)
        let next = folder.appendingPathComponent("3.claim")
        try JSONEncoder().encode(patient).write(to: next)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-400)], ofItemAtPath: next.path)
        #expect(throws: ClaimHeld.self) { try store.claim(language: "de", seed: 2) }  // 400 s < its 3600 s TTL
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-4000)], ofItemAtPath: next.path)
        let claim = try store.claim(language: "de", seed: 2)
        #expect(claim.takenOverFrom == patient && claim.owner.ttl == RunClaim.timeToLive)
    }

    /// Released claims are not stale ones, and a release after a takeover leaves the new holder's file alone.
    @Test func aReleaseAfterATakeoverLeavesTheSuccessorAlone() throws {
        let store = try SessionStore.openOrCreate(folder: try Fixtures.temporaryDirectory())
        let first = try store.claim(language: "ru", seed: 1)
        let folder = store.folder.appendingPathComponent("claims/ru.seed1")
        // A successor that took it over (as after a stall past the TTL): generation 2.
        let successor = ClaimOwner(pid: 1, host: "node-y", started: "2026-12-01T00:00:00Z")
        try JSONEncoder().encode(successor).write(to: folder.appendingPathComponent("2.claim"))
        #expect(throws: ClaimLost.self) { try first.confirmHeld() }
        first.release()
        #expect(RunClaim.recordedHolder(folder)?.owner == successor)
    }
}
