import Testing

@testable import SwitchboardProtocol

@Suite struct WorkflowTests {
    /// Every pair of statuses against the contract's workflow.
    @Test(arguments: TicketStatus.allCases)
    func transitions(from status: TicketStatus) {
        let allowed: [TicketStatus: Set<TicketStatus>] = [
            .open: [.open, .inProgress, .closed],
            .inProgress: [.inProgress, .resolved, .closed],
            .resolved: [.resolved, .closed, .inProgress],
            .closed: [.closed],
        ]
        for next in TicketStatus.allCases {
            #expect(status.canMove(to: next) == allowed[status]!.contains(next), "\(status) → \(next)")
        }
    }

    @Test func priorityRankOrdersUrgency() {
        #expect(Priority.allCases.map(\.rank) == [0, 1, 2, 3])
        #expect(Priority.urgent.rank > Priority.high.rank)
    }

    @Test func onlyStaffWorkTheQueue() {
        #expect(!Role.customer.isStaff)
        #expect(Role.agent.isStaff && Role.admin.isStaff)
    }
}
