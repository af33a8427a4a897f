import CShim
import Foundation
import SupervisorCore
import XCTest

/// Runs a classic BPF program of the few instructions `ReuseportGroup` emits, with `random` as
/// the random number: the index the kernel would get.
private func run(_ program: [BPFInstruction], random: UInt32) -> UInt32 {
    var a: UInt32 = 0
    var pc = 0
    while pc < program.count {
        let instruction = program[pc]
        pc += 1
        switch instruction.code {
        case BPFInstruction.ldAbsWord:
            precondition(instruction.k == BPFInstruction.randomOffset, "only the random number is loaded")
            a = random
        case BPFInstruction.aluModK:
            precondition(instruction.k > 0)
            a %= instruction.k
        case BPFInstruction.jmpJeqK:
            pc += Int(a == instruction.k ? instruction.jt : instruction.jf)
        case BPFInstruction.retK:
            return instruction.k
        case BPFInstruction.retA:
            return a
        default:
            preconditionFailure("unexpected instruction \(instruction)")
        }
    }
    preconditionFailure("the program fell off its end")
}

/// Each index the program returns, by how often, over `samples` consecutive random numbers
/// (every residue alike when `samples` is a multiple of the modulus).
private func spread(_ program: [BPFInstruction], samples: UInt32 = 6000) -> [UInt32: Int] {
    var counts: [UInt32: Int] = [:]
    for step in 0..<samples { counts[run(program, random: 0xFFFF_FFFF - step), default: 0] += 1 }
    return counts
}

final class ReuseportGroupTests: XCTestCase {
    func testTheOrderFollowsTheKernel() {
        var group = ReuseportGroup(members: [0, 1, 2, 3])
        group.stopped(1)
        XCTAssertEqual(group.members, [0, 3, 2], "the last socket takes the place of the one leaving")
        group.listened(4)
        XCTAssertEqual(group.members, [0, 3, 2, 4])
        group.stopped(4)
        XCTAssertEqual(group.members, [0, 3, 2], "the last one leaving: nothing moves")
        group.stopped(0)
        XCTAssertEqual(group.members, [2, 3])
        group.stopped(7)
        XCTAssertEqual(group.members, [2, 3], "not a member: no change")
        XCTAssertEqual(group.index(of: 3), 1)
        XCTAssertNil(group.index(of: 0))
    }

    func testEveryMemberTakingConnectionsIsAModulo() {
        let group = ReuseportGroup(members: [0, 1, 2, 3])
        let program = group.program(accepting: [0, 1, 2, 3])
        XCTAssertEqual(program?.map(\.description), ["ld rand", "mod #4", "ret a"])
        XCTAssertEqual(spread(program!), [0: 1500, 1: 1500, 2: 1500, 3: 1500])
        XCTAssertEqual(group.program(accepting: [0, 1])?.map(\.description), ["ld rand", "mod #2", "ret a"],
                       "the first members: no table")
    }

    func testRetiringMembersGetNothingAndTheOthersShareEvenly() {
        let group = ReuseportGroup(members: [0, 5, 2, 4, 3, 1])
        let program = group.program(accepting: [0, 2, 1, 9])   // 9 is no member
        XCTAssertEqual(program?.map(\.description),
                       ["ld rand", "mod #3", "jeq #0, +0, +1", "ret #0", "jeq #1, +0, +1", "ret #2", "ret #5"])
        XCTAssertEqual(spread(program!), [0: 2000, 2: 2000, 5: 2000])
        XCTAssertNil(group.program(accepting: []))
        XCTAssertNil(group.program(accepting: [9]))
    }

    /// Any history of sockets listening and leaving: the program never returns an index out of
    /// range (the kernel would fall back to its hash, which may pick a retiring socket) nor one
    /// of a member not taking connections, before, while and after a socket leaves.
    func testProgramsStayRightThroughAnyHistory() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var group = ReuseportGroup(members: Array(0..<Int.random(in: 1...6, using: &generator)))
            var next = group.members.count
            var retiring: Set<Int> = []
            for _ in 0..<20 {
                let accepting = Set(group.members).subtracting(retiring)
                if let program = group.program(accepting: accepting) {
                    for index in spread(program, samples: 64).keys {
                        XCTAssertLessThan(Int(index), group.members.count)
                        XCTAssertTrue(accepting.contains(group.members[Int(index)]))
                    }
                }
                switch Int.random(in: 0..<3, using: &generator) {
                case 0:
                    group.listened(next)
                    next += 1
                case 1:
                    if accepting.count > 1, let member = accepting.randomElement(using: &generator) { retiring.insert(member) }
                default:
                    guard let member = retiring.randomElement(using: &generator) else { continue }
                    let before = group
                    var after = group
                    after.stopped(member)
                    if let interim = group.programWhileStopping(member, accepting: accepting) {
                        for index in spread(interim, samples: 64).keys.map(Int.init) {
                            for state in [before, after] {
                                XCTAssertLessThan(index, state.members.count, "\(before.members) − \(member)")
                                XCTAssertTrue(accepting.contains(state.members[index]), "\(before.members) − \(member)")
                            }
                        }
                    }
                    group = after
                    retiring.remove(member)
                }
            }
        }
    }

    /// The model against the kernel: real SO_REUSEPORT listeners on loopback, a program returning
    /// one index at a time, and which socket's queue the connection lands in — before and after
    /// sockets leave (closed, or stopped while another descriptor of them stays open) and join.
    func testTheKernelAgrees() throws {
        var sockets: [Int: Int32] = [:]
        var port: UInt16 = 0
        func listener(_ member: Int) throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            XCTAssertTrue(bound, String(cString: strerror(errno)))
            port = UInt16(bigEndian: address.sin_port)
            XCTAssertEqual(listen(fd, 64), 0)
            sockets[member] = fd
        }
        /// Which member's socket the next connection lands on.
        func landing() throws -> Int? {
            let before = sockets.mapValues { pyrmute_listen_queue_length($0) }
            let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(client) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            XCTAssertEqual(connected, 0)
            for _ in 0..<200 {
                for (member, fd) in sockets where pyrmute_listen_queue_length(fd) > before[member]! {
                    let accepted = accept(fd, nil, nil)   // keep the queues empty
                    if accepted >= 0 { close(accepted) }
                    return member
                }
                usleep(1000)
            }
            return nil
        }
        func check(_ group: ReuseportGroup, _ what: String) throws {
            let anchor = sockets[group.members[0]]!
            for (index, member) in group.members.enumerated() {
                let program = [BPFInstruction.returnConstant(UInt32(index))].map { pyrmute_bpf_insn(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
                XCTAssertEqual(program.withUnsafeBufferPointer { pyrmute_reuseport_attach_cbpf(anchor, $0.baseAddress, 1) }, 0)
                XCTAssertEqual(try landing(), member, "\(what): index \(index) of \(group.members)")
            }
        }

        var group = ReuseportGroup()
        for member in 0..<5 {
            try listener(member)
            group.listened(member)
        }
        defer { sockets.values.forEach { close($0) } }
        try check(group, "five sockets")

        close(sockets.removeValue(forKey: 1)!)
        group.stopped(1)
        try check(group, "the second closed")

        // Stopped while another descriptor of it stays open (a worker that did not let go).
        let first = sockets.removeValue(forKey: 0)!
        let duplicate = dup(first)
        XCTAssertEqual(pyrmute_listener_stop(first), 0)
        close(first)
        group.stopped(0)
        try check(group, "the first stopped, still held")
        close(duplicate)

        try listener(5)
        group.listened(5)
        try check(group, "one more")

        // The steering program itself: nothing for the retiring, something for each of the others.
        let accepting: Set<Int> = [4, 5]
        let program = group.program(accepting: accepting)!.map { pyrmute_bpf_insn(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
        XCTAssertEqual(program.withUnsafeBufferPointer { pyrmute_reuseport_attach_cbpf(sockets[4]!, $0.baseAddress, UInt16($0.count)) }, 0)
        var landed: [Int: Int] = [:]
        for _ in 0..<60 { landed[try XCTUnwrap(try landing()), default: 0] += 1 }
        XCTAssertEqual(Set(landed.keys), accepting, "\(landed) over \(group.members)")
        XCTAssertEqual(pyrmute_listen_queue_length(-1), -1)
    }
}
