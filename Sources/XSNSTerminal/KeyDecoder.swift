import CNCursesW
import XSNSTUI

/// What one `wget_wch` call produced.
enum Input: Equatable {
    case key(Key)
    case resize
}

/// Translates curses input (a character or a KEY_* code) into workbench keys.
enum KeyDecoder {
    static func decode(status: Int32, value: UInt32) -> Input? {
        if status == KEY_CODE_YES {
            return decodeFunctionKey(Int32(bitPattern: value))
        }
        guard status == OK else { return nil }
        switch value {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        case 1...26: return Unicode.Scalar(value + 96).map { .key(.control(Character($0))) }
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    private static func decodeFunctionKey(_ code: Int32) -> Input? {
        switch code {
        case KEY_RESIZE: return .resize
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_BTAB: return .key(.backTab)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE, KEY_DC: return .key(.backspace)
        default: return nil
        }
    }
}
