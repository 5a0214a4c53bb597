/// A width and a height in cells. A value, so the state that holds one compares by itself: a
/// tuple is not `Equatable`, and the modes that kept their size in one wrote their own `==` — which
/// then left out fields the screen draws.
public struct TerminalSize: Hashable, Sendable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public init(_ size: (width: Int, height: Int)) {
        self.init(width: size.width, height: size.height)
    }

    /// As the views and the event loop take it.
    public var pair: (width: Int, height: Int) { (width, height) }
}
