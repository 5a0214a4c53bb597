import Foundation

/// Where a terminal client's crash leaves its cause, and how the next start tells of it. A trap
/// in a full-screen program is otherwise lost twice over: its message is drawn over the screen
/// the program then takes away, and the terminal's scrollback never had it.
///
/// The folder is `crashes` in the data directory. Swift's backtracer writes a symbolicated
/// backtrace there (`SWIFT_BACKTRACE=…,output-to=FOLDER`, set before the runtime starts), and a
/// run's standard error — where a fatal error's message goes — is kept there while the screen
/// is up (`console-PID.stderr`, removed when the run ends well).
public enum CrashReports {
    public static func folder(in dataDirectory: URL) -> URL { dataDirectory.appendingPathComponent("crashes") }

    /// The file a run's standard error goes to while its screen is up.
    public static func runLog(in folder: URL, program: String, pid: Int32) -> URL {
        folder.appendingPathComponent("\(program)-\(pid).stderr")
    }

    /// The `SWIFT_BACKTRACE` that sends backtraces to `folder`, keeping what the user set; nil
    /// when theirs already says where they go, or turns backtracing off.
    public static func backtraceSetting(_ current: String?, folder: URL) -> String? {
        let given = (current ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        func value(_ key: String) -> String? {
            given.last { $0.lowercased().hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)).lowercased() }
        }
        if value("output-to") != nil || ["no", "false", "0", "off"].contains(value("enable") ?? "") { return nil }
        var settings = given
        if value("enable") == nil { settings.append("enable=yes") }
        // Never wait for keys on a terminal the program has just given back.
        if value("interactive") == nil { settings.append("interactive=no") }
        if value("color") == nil { settings.append("color=no") }
        settings.append("output-to=" + folder.path)
        return settings.joined(separator: ",")
    }

    /// The reports in `folder` written since the last start told of them (empty files aside),
    /// oldest first; `tell` moves the mark on, so each is told once.
    public static func untold(in folder: URL, tell: Bool = true, now: Date = Date()) -> [URL] {
        let manager = FileManager.default
        let mark = folder.appendingPathComponent(".told")
        let told = (try? manager.attributesOfItem(atPath: mark.path)[.modificationDate] as? Date) ?? .distantPast
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey]
        let files = (try? manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: keys, options: .skipsHiddenFiles)) ?? []
        let reports = files.compactMap { file -> (URL, Date)? in
            guard let values = try? file.resourceValues(forKeys: Set(keys)), values.isRegularFile == true,
                (values.fileSize ?? 0) > 0, let date = values.contentModificationDate, date > told,
                file.pathExtension == "log" || file.pathExtension == "stderr"
            else { return nil }
            return (file, date)
        }.sorted { $0.1 < $1.1 }.map(\.0)
        if tell, !reports.isEmpty {
            if !manager.fileExists(atPath: mark.path) { _ = manager.createFile(atPath: mark.path, contents: nil) }
            try? manager.setAttributes(
                [.modificationDate: max(now, reports.compactMap { Self.date($0) }.max() ?? now)],
                ofItemAtPath: mark.path)
        }
        return reports
    }

    /// What the first screen says about them; nil when there are none.
    public static func notice(for reports: [URL]) -> String? {
        guard let newest = reports.last(where: { $0.pathExtension == "log" }) ?? reports.last else { return nil }
        let others = reports.count > 1 ? " (and \(reports.count - 1) more beside it)" : ""
        return "Switchboard crashed on an earlier run. Its report is \(newest.path)\(others) — "
            + "please send it to whoever runs your Switchboard."
    }

    private static func date(_ file: URL) -> Date? {
        try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate
    }
}
