import CursesTerminal
import Foundation
import SwitchboardApp

/// Makes a terminal client's crash leave its cause in the data directory (`CrashReports`):
/// Swift's backtracer pointed at the crash folder, standard error kept there while the screen
/// is up, a line on the terminal when it happens, and a notice on the next start.
enum CrashCapture {
    /// Before anything is read or started: the runtime reads `SWIFT_BACKTRACE` once, when the
    /// process starts, so a process without the crash folder in it starts itself again, once,
    /// with it (same arguments, same process id). If that fails it carries on, reports to the
    /// terminal only.
    static func arm(dataDirectory: URL) {
        let folder = CrashReports.folder(in: dataDirectory)
        guard let setting = CrashReports.backtraceSetting(ProcessInfo.processInfo.environment["SWIFT_BACKTRACE"], folder: folder),
            (try? FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])) != nil
        else { return }
        // The program's own path, not /proc/self/exe: the backtrace file is named after it.
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        setenv("SWIFT_BACKTRACE", setting, 1)
        execv(path, CommandLine.unsafeArgv)
    }

    /// One run's capture, begun once the terminal is taken.
    struct Run {
        let log: URL?
        let terminal: Int32

        /// The run ended well: standard error back on the terminal, its file gone.
        func end() {
            guard let log, terminal >= 0 else { return }
            dup2(terminal, STDERR_FILENO)
            close(terminal)
            try? FileManager.default.removeItem(at: log)
        }
    }

    /// Standard error into the run's file (unless `keepStandardError`: the launcher's already goes
    /// to the server log), and the line a crash writes on the terminal. Also what the first screen
    /// should say about earlier crashes.
    static func begin(dataDirectory: URL, program: String, keepStandardError: Bool = false) -> (run: Run, notice: String?) {
        let folder = CrashReports.folder(in: dataDirectory)
        let notice = CrashReports.notice(for: CrashReports.untold(in: folder))
        let terminal = dup(STDERR_FILENO)
        var log: URL?
        if !keepStandardError, terminal >= 0 {
            let file = CrashReports.runLog(in: folder, program: program, pid: getpid())
            let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
            if descriptor >= 0 {
                dup2(descriptor, STDERR_FILENO)
                close(descriptor)
                log = file
            }
        }
        CursesTerminal.setCrashNote(
            "\nswitchboard \(program) crashed; its report goes to \(folder.path)/ — "
                + "please send it to whoever runs your Switchboard.\n", to: terminal)
        return (Run(log: log, terminal: terminal), notice)
    }
}
