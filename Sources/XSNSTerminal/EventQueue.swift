import Foundation
import XSNSTUI

/// Engine events on their way from background threads to the terminal loop on the main thread.
/// Posting never blocks for long; the loop drains everything queued once per tick.
public final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [EngineEvent] = []

    public init() {}

    public func post(_ event: EngineEvent) {
        lock.lock()
        pending.append(event)
        lock.unlock()
    }

    /// Everything posted so far, oldest first; the queue is empty afterwards.
    public func drain() -> [EngineEvent] {
        lock.lock()
        defer { lock.unlock() }
        let events = pending
        pending.removeAll(keepingCapacity: true)
        return events
    }
}
