import CNCursesW
import XSNSTUI

/// Runs the workbench in the terminal: the main-thread loop that reads keys, drains engine
/// events, feeds both to the reducer, hands commands to the app shell and repaints.
public enum TerminalApp {
    public struct Options: Sendable {
        /// No colours (`--no-color` or a non-empty NO_COLOR); the caller decides.
        public var noColor: Bool
        /// ASCII glyphs only (`--ascii`).
        public var ascii: Bool

        public init(noColor: Bool, ascii: Bool) {
            self.noColor = noColor
            self.ascii = ascii
        }
    }

    /// Why the loop ended.
    public enum Exit: Equatable, Sendable {
        case quit
        /// SIGINT, SIGTERM or SIGHUP arrived; the shell was asked to save first.
        case signal(Int32)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Blocks until the user quits or a termination signal arrives. `handleCommand` runs on the
    /// main thread for every command except `.redraw` (handled here); on a signal it receives
    /// `.save` before the terminal is restored. `observe` sees each new state before its commands
    /// run (the shell persists the view and follows the selection). The terminal is restored on
    /// every way out.
    public static func run(
        initialState: WorkbenchState, options: Options, events: EventQueue, handleCommand: (Command) -> Void,
        observe: (WorkbenchState) -> Void = { _ in }
    ) throws -> (exit: Exit, state: WorkbenchState) {
        let screen: CursesScreen
        do {
            screen = try CursesScreen()
        } catch {
            throw Failure(description: "\(error)")
        }
        TerminationSignals.install()
        defer {
            screen.restore()
            TerminationSignals.uninstall()
        }
        let theme = Theme.choose(colors: screen.colors, noColor: options.noColor, ascii: options.ascii)
        var state = initialState
        var drawn: (state: WorkbenchState, size: TerminalSize)?

        while true {
            let caught = TerminationSignals.pending
            if caught != 0 {
                handleCommand(.save)
                return (.signal(caught), state)
            }
            var actions = events.drain().map(Action.engine)
            if let input = screen.read() {
                switch input {
                case .resize: drawn = nil
                case .key(let key): actions.append(.key(key))
                }
            }
            for action in actions {
                let (next, commands) = reduce(state, action)
                state = next
                observe(state)
                for command in commands {
                    switch command {
                    case .redraw:
                        screen.invalidate()
                        drawn = nil
                    case .quit:
                        handleCommand(.quit)
                        return (.quit, state)
                    default:
                        handleCommand(command)
                    }
                }
            }
            let size = screen.size
            if drawn?.state != state || drawn?.size != size {
                screen.draw(render(state, size: size, theme: theme))
                drawn = (state, size)
            }
        }
    }
}
