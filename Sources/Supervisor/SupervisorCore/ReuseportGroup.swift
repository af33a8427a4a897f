/// The slots' listening sockets as the kernel holds them: one `SO_REUSEPORT` group, an array of
/// sockets in the order they started listening. A socket that stops listening (its last
/// descriptor closed, or `shutdown`) leaves a hole that the group's last socket fills
/// (`__reuseport_detach_sock` in net/core/sock_reuseport.c: `socks[i] = socks[num_socks - 1]`).
///
/// A classic BPF program attached to the group returns, for each new connection, an index into
/// that array; `program(accepting:)` builds one that picks uniformly at random among the members
/// that still take new connections, so that a retiring slot's socket gets none while its worker
/// serves what the socket already holds. An index out of range would make the kernel fall back
/// to its hash (which may pick any member): every index the program returns is in range.
///
/// Members are slot indices. Pure: the arbiter attaches the programs and reports the sockets'
/// comings and goings in the order the kernel sees them.
public struct ReuseportGroup: Equatable, Sendable {
    /// Members in the kernel's array order.
    public private(set) var members: [Int]

    public init(members: [Int] = []) { self.members = members }

    /// `member`'s socket started listening: appended.
    public mutating func listened(_ member: Int) {
        members.append(member)
    }

    /// `member`'s socket stopped listening: the last member takes its place.
    public mutating func stopped(_ member: Int) {
        guard let index = members.firstIndex(of: member) else { return }
        members[index] = members[members.count - 1]
        members.removeLast()
    }

    public func index(of member: Int) -> Int? { members.firstIndex(of: member) }

    /// The most members one program can choose among (classic BPF allows 4,096 instructions).
    public static let maximumChoices = 2000

    /// A program giving every new connection to one of `accepting` (members; others are
    /// ignored), uniformly at random; nil when none of them is a member (or too many are).
    public func program(accepting: Set<Int>) -> [BPFInstruction]? {
        let indices = members.indices.filter { accepting.contains(members[$0]) }
        guard !indices.isEmpty, indices.count <= Self.maximumChoices else { return nil }
        var program: [BPFInstruction] = [.loadRandom, .modulo(UInt32(indices.count))]
        if indices == Array(0..<indices.count) {
            program.append(.returnA)   // the first n members: the residue is the index
            return program
        }
        // A jump table: residue r returns the r-th accepting member's index.
        for (residue, index) in indices.enumerated().dropLast() {
            program += [.jumpIfEqual(UInt32(residue), skipIfTrue: 0, skipIfFalse: 1), .returnConstant(UInt32(index))]
        }
        program.append(.returnConstant(UInt32(indices[indices.count - 1])))
        return program
    }

    /// The program to hold while `member`'s socket stops listening: right both before and after
    /// the kernel moves the last member into its place, so it leaves out `member` and the last
    /// member (which only misses new connections for that moment). Nil when that leaves no one:
    /// then the arbiter goes straight to the program after the change.
    public func programWhileStopping(_ member: Int, accepting: Set<Int>) -> [BPFInstruction]? {
        guard let last = members.last, last != member else { return program(accepting: accepting.subtracting([member])) }
        return program(accepting: accepting.subtracting([member, last]))
    }
}

/// One classic BPF instruction (`struct sock_filter`).
public struct BPFInstruction: Equatable, Sendable, CustomStringConvertible {
    public let code: UInt16
    public let jt: UInt8
    public let jf: UInt8
    public let k: UInt32

    public init(code: UInt16, jt: UInt8 = 0, jf: UInt8 = 0, k: UInt32 = 0) {
        self.code = code
        self.jt = jt
        self.jf = jf
        self.k = k
    }

    // Opcodes (linux/bpf_common.h, linux/filter.h).
    public static let ldAbsWord: UInt16 = 0x20        // BPF_LD | BPF_W | BPF_ABS
    public static let aluModK: UInt16 = 0x94          // BPF_ALU | BPF_MOD | BPF_K
    public static let jmpJeqK: UInt16 = 0x15          // BPF_JMP | BPF_JEQ | BPF_K
    public static let retK: UInt16 = 0x06             // BPF_RET | BPF_K
    public static let retA: UInt16 = 0x16             // BPF_RET | BPF_A
    /// SKF_AD_OFF + SKF_AD_RANDOM: the ancillary load of a random 32-bit number.
    public static let randomOffset = UInt32(bitPattern: -0x1000 + 56)

    /// A = a random number.
    public static let loadRandom = BPFInstruction(code: ldAbsWord, k: randomOffset)
    /// A = A % n.
    public static func modulo(_ n: UInt32) -> BPFInstruction { BPFInstruction(code: aluModK, k: n) }
    /// Skips `skipIfTrue` instructions when A == k, else `skipIfFalse`.
    public static func jumpIfEqual(_ k: UInt32, skipIfTrue: UInt8, skipIfFalse: UInt8) -> BPFInstruction {
        BPFInstruction(code: jmpJeqK, jt: skipIfTrue, jf: skipIfFalse, k: k)
    }
    public static func returnConstant(_ k: UInt32) -> BPFInstruction { BPFInstruction(code: retK, k: k) }
    public static let returnA = BPFInstruction(code: retA)

    public var description: String {
        switch code {
        case Self.ldAbsWord where k == Self.randomOffset: return "ld rand"
        case Self.aluModK: return "mod #\(k)"
        case Self.jmpJeqK: return "jeq #\(k), +\(jt), +\(jf)"
        case Self.retK: return "ret #\(k)"
        case Self.retA: return "ret a"
        default: return "op \(code) \(jt) \(jf) \(k)"
        }
    }
}
