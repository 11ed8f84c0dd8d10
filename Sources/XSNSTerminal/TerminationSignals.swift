import Foundation
import Synchronization

/// SIGINT, SIGTERM and SIGHUP set a flag and nothing else (an atomic store is async-signal-safe);
/// the terminal loop checks it every tick, saves, restores the terminal and exits.
enum TerminationSignals {
    /// The last signal received, 0 when none.
    static let received = Atomic<Int32>(0)

    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    static func install() {
        for number in handled {
            signal(number) { caught in TerminationSignals.received.store(caught, ordering: .relaxed) }
        }
    }

    /// Puts the default dispositions back once the terminal is restored.
    static func uninstall() {
        for number in handled { signal(number, SIG_DFL) }
    }

    static var pending: Int32 { received.load(ordering: .relaxed) }
}
