/// A command that could not do its work, said as a sentence. ArgumentParser prints it as
/// "Error: …" alone; a `ValidationError` would add a usage line, which is about mistyped flags.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
