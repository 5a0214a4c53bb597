import ChildProcess
import Foundation
import Synchronization
import Testing

/// How the tests and the editor start programs (see ChildProcess for why not Foundation's Process).
struct ChildProcessTests {
    /// Runs `script` in sh and returns its output and exit status.
    func shell(_ script: String, directory: String? = nil) throws -> (output: String, status: Int32?) {
        let child = try ChildProcess.spawn("/bin/sh", arguments: ["-c", script], directory: directory, input: .null, output: .pipe)
        let output = child.readOutput()
        child.waitUntilExit()
        return (String(decoding: output, as: UTF8.self), child.terminationStatus)
    }

    @Test func theChildInheritsOnlyTheStandardFiles() throws {
        // A file this process opens without close-on-exec, as a library might.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        #expect(leaked > 2)
        let (output, status) = try shell("ls /proc/$$/fd")
        #expect(status == 0)
        #expect(output.split(separator: "\n").sorted() == ["0", "1", "2"], "\(output)")
    }

    @Test func outputArrivesAsItIsWrittenThenItsEnd() throws {
        let child = try ChildProcess.spawn("/bin/sh", arguments: ["-c", "echo one; sleep 0.2; echo two"], input: .null, output: .pipe)
        let chunks = Mutex<[String]>([])
        let ended = DispatchSemaphore(value: 0)
        drain(child.output!) { chunk in
            if chunk.isEmpty { ended.signal() } else { chunks.withLock { $0.append(String(decoding: chunk, as: UTF8.self)) } }
        }
        #expect(ended.wait(timeout: .now() + 10) == .success)
        child.waitUntilExit()
        #expect(chunks.withLock { $0 } == ["one\n", "two\n"])
    }

    @Test func outputAndErrorAreAppendedToAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for word in ["one", "two"] {
            let child = try ChildProcess.spawn(
                "/bin/sh", arguments: ["-c", "echo \(word); echo \(word)-error >&2"], input: .null,
                output: .append(path), error: .append(path))
            child.waitUntilExit()
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\none-error\ntwo\ntwo-error\n")
    }

    @Test func statusDirectoryAndSignals() throws {
        #expect(try shell("exit 3").status == 3)
        #expect(try shell("pwd", directory: "/tmp").output == "/tmp\n")
        #expect(try shell("kill -9 $$").status == 128 + 9)
        let sleeper = try ChildProcess.spawn("/bin/sleep", arguments: ["30"])
        #expect(sleeper.isRunning && sleeper.terminationStatus == nil)
        sleeper.terminate()
        sleeper.waitUntilExit()
        #expect(!sleeper.isRunning && sleeper.terminationStatus == 128 + SIGTERM)
    }

    @Test func aMissingProgramIsAnErrorThatSaysSo() {
        #expect { try ChildProcess.spawn("/nonexistent/program", arguments: []) } throws: { error in
            "\(error)" == "could not start /nonexistent/program: No such file or directory"
        }
    }
}
