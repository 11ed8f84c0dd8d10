import Foundation
import XSNSTUI

/// Collects the events the shell posts (from any thread) and lets a test wait for one.
final class EventLog: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [EngineEvent] = []

    var post: @Sendable (EngineEvent) -> Void {
        { [self] event in
            condition.lock()
            events.append(event)
            condition.broadcast()
            condition.unlock()
        }
    }

    var all: [EngineEvent] {
        condition.lock()
        defer { condition.unlock() }
        return events
    }

    /// The first event (from `start` on) that matches, or nil after a generous minute: a hang
    /// fails the test instead of blocking the suite (a deadline, not a speed check).
    func wait(from start: Int = 0, _ matches: (EngineEvent) -> Bool) -> (index: Int, event: EngineEvent)? {
        let deadline = Date().addingTimeInterval(60)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if start < events.count, let index = events[start...].firstIndex(where: matches) {
                return (index, events[index])
            }
            if !condition.wait(until: deadline) { return nil }
        }
    }
}

extension EngineEvent {
    var isFinished: Bool { if case .finished = self { true } else { false } }
    var isPaused: Bool { if case .paused = self { true } else { false } }
    var isProgress: Bool { if case .progress = self { true } else { false } }
    var data: WorkbenchData? { if case .dataUpdated(let data) = self { data } else { nil } }
    var notice: String? { if case .notice(let text) = self { text } else { nil } }
}
