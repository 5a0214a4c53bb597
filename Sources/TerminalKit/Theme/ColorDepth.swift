/// How many colours a terminal shows; colours a theme asks for are brought down to it.
public enum ColorDepth: Int, Comparable, Sendable {
    case none = 0, basic = 8, bright = 16, palette = 256, trueColor = 16_777_216

    public static func < (a: ColorDepth, b: ColorDepth) -> Bool { a.rawValue < b.rawValue }
}

extension Color {
    /// The nearest colour the terminal can show.
    public func fitted(to depth: ColorDepth) -> Color {
        switch (self, depth) {
        case (.default, _), (_, .trueColor): return self
        case (_, .none): return .default
        case (.basic(let index), .basic): return .basic(index % 8)
        case (.basic, _): return self
        case (.palette(let index), .palette): return .palette(index)
        case (.palette(let index), _): return Color.basicNearest(to: Color.rgb(ofPalette: index), depth: depth)
        case (.rgb(let r, let g, let b), .palette): return .palette(Color.paletteNearest(r, g, b))
        case (.rgb(let r, let g, let b), _): return Color.basicNearest(to: (r, g, b), depth: depth)
        }
    }

    /// The xterm 256-colour cube and grey ramp entry nearest an RGB colour.
    static func paletteNearest(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let cube = 16 + 36 * level(r) + 6 * level(g) + level(b)
        let grey = min(23, max(0, ((Int(r) + Int(g) + Int(b)) / 3 - 3) / 10))
        let cubeRGB = rgb(ofPalette: UInt8(cube)), greyRGB = rgb(ofPalette: UInt8(232 + grey))
        return distance(cubeRGB, (r, g, b)) <= distance(greyRGB, (r, g, b)) ? UInt8(cube) : UInt8(232 + grey)
    }

    /// The RGB value of a palette entry (xterm's defaults).
    public static func rgb(ofPalette index: UInt8) -> (UInt8, UInt8, UInt8) {
        switch index {
        case 0..<16: return basicRGB[Int(index)]
        case 16..<232:
            let i = Int(index) - 16
            func v(_ level: Int) -> UInt8 { level == 0 ? 0 : UInt8(55 + level * 40) }
            return (v(i / 36), v((i / 6) % 6), v(i % 6))
        default:
            let v = UInt8(8 + (Int(index) - 232) * 10)
            return (v, v, v)
        }
    }

    static let basicRGB: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    static func basicNearest(to rgb: (UInt8, UInt8, UInt8), depth: ColorDepth) -> Color {
        let count = depth >= .bright ? 16 : 8
        let best = (0..<count).min { distance(basicRGB[$0], rgb) < distance(basicRGB[$1], rgb) } ?? 7
        return .basic(UInt8(best))
    }

    static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Int {
        let dr = Int(a.0) - Int(b.0), dg = Int(a.1) - Int(b.1), db = Int(a.2) - Int(b.2)
        return dr * dr + dg * dg + db * db
    }
}
