/// Emoji shortcodes as chat tools write them: `:smile:` → 😄 when sent, completed with Tab.
public enum Emoji {
    public static let shortcodes: [String: String] = [
        "smile": "😄", "grin": "😁", "joy": "😂", "wink": "😉", "blush": "😊", "slightly_smiling_face": "🙂",
        "thinking": "🤔", "neutral_face": "😐", "confused": "😕", "worried": "😟", "cry": "😢", "sob": "😭",
        "angry": "😠", "rage": "😡", "scream": "😱", "sweat_smile": "😅", "relieved": "😌", "sunglasses": "😎",
        "heart": "❤️", "broken_heart": "💔", "thumbsup": "👍", "+1": "👍", "thumbsdown": "👎", "-1": "👎",
        "clap": "👏", "pray": "🙏", "wave": "👋", "ok_hand": "👌", "muscle": "💪", "raised_hands": "🙌",
        "tada": "🎉", "fire": "🔥", "star": "⭐", "sparkles": "✨", "100": "💯", "check": "✅",
        "white_check_mark": "✅", "x": "❌", "warning": "⚠️", "question": "❓", "exclamation": "❗",
        "eyes": "👀", "rocket": "🚀", "package": "📦", "truck": "🚚", "credit_card": "💳", "moneybag": "💰",
        "email": "📧", "phone": "📞", "lock": "🔒", "key": "🔑", "bulb": "💡", "wrench": "🔧", "hourglass": "⏳",
        "coffee": "☕", "gift": "🎁", "calendar": "📅", "clock": "🕐", "mag": "🔍", "memo": "📝", "bug": "🐛",
    ]

    /// Every `:name:` with a known name becomes its emoji; anything else stays as typed.
    public static func expand(_ text: String) -> String {
        guard text.contains(":") else { return text }
        var result = "", rest = Substring(text)
        while let open = rest.firstIndex(of: ":") {
            result += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: ":"), let emoji = shortcodes[String(after[..<close])] {
                result += emoji
                rest = after[after.index(after: close)...]
            } else {
                result += ":"
                rest = after
            }
        }
        return result + rest
    }

    /// Shortcodes starting with what was typed after a colon (`:sm` → `:smile:`), for Tab.
    public static func completions(for word: String) -> [String] {
        guard word.hasPrefix(":"), word.count >= 2 else { return [] }
        let typed = word.dropFirst().lowercased()
        return shortcodes.keys.filter { $0.hasPrefix(typed) }.sorted().map { ":\($0):" }
    }
}
