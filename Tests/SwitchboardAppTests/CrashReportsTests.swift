import Foundation
import Testing

@testable import SwitchboardApp

@Suite struct CrashReportsTests {
    static let folder = URL(fileURLWithPath: "/data/crashes")

    @Test func theBacktracerIsPointedAtTheFolderKeepingWhatTheUserSet() {
        #expect(CrashReports.backtraceSetting(nil, folder: Self.folder) == "enable=yes,interactive=no,color=no,output-to=/data/crashes")
        #expect(
            CrashReports.backtraceSetting("limit=20, interactive=yes", folder: Self.folder)
                == "limit=20,interactive=yes,enable=yes,color=no,output-to=/data/crashes")
        // Theirs says where, or turns it off: left alone (and so no second start).
        #expect(CrashReports.backtraceSetting("output-to=stderr", folder: Self.folder) == nil)
        #expect(CrashReports.backtraceSetting("enable=no", folder: Self.folder) == nil)
        #expect(CrashReports.backtraceSetting("Enable=OFF,limit=4", folder: Self.folder) == nil)
    }

    @Test func eachReportIsToldOnceNewestBacktraceNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crashes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(CrashReports.untold(in: folder).isEmpty && CrashReports.notice(for: []) == nil)
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        func write(_ name: String, _ text: String, at date: Date) throws {
            let file = folder.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: file.path)
        }
        try write("console-41.stderr", "Fatal error: Index out of range", at: start)
        try write("switchboard-41-0.0.log", "*** Program crashed ***", at: start.addingTimeInterval(1))
        try write("console-42.stderr", "", at: start.addingTimeInterval(2))  // a run that printed nothing
        try write("notes.txt", "not a report", at: start.addingTimeInterval(3))
        let reports = CrashReports.untold(in: folder, now: start.addingTimeInterval(10))
        #expect(reports.map(\.lastPathComponent) == ["console-41.stderr", "switchboard-41-0.0.log"])
        let notice = try #require(CrashReports.notice(for: reports))
        #expect(notice.contains(folder.appendingPathComponent("switchboard-41-0.0.log").path) && notice.contains("1 more"))
        // Told: the next start says nothing, until a new crash.
        #expect(CrashReports.untold(in: folder).isEmpty)
        try write("switchboard-43-0.0.log", "*** Program crashed ***", at: start.addingTimeInterval(20))
        #expect(CrashReports.untold(in: folder).map(\.lastPathComponent) == ["switchboard-43-0.0.log"])
    }
}
