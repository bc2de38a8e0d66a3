import Foundation
import Testing

@testable import SiamRPN

/// The restricted unpickler on its own: values, memo sharing, and each resource limit.
struct CheckpointPickleReaderTests {
    static func read(_ bytes: [UInt8], limits: PickleLimits = PickleLimits()) throws -> (PickleValue, PickleDocument) {
        var reader = PickleReader(bytes: bytes, source: "p.pkl", endIsFileEnd: false, limits: limits)
        let value = try reader.read()
        return (value, reader.document)
    }

    @Test func scalarOpcodesDecodeLikePython() throws {
        let cases: [([UInt8], PickleValue)] = [
            ([0x4B, 0xFF], .int(255)),
            ([0x4D, 0x34, 0x12], .int(0x1234)),
            ([0x4A] + le32(UInt32(bitPattern: -5)), .int(-5)),
            ([0x8A, 0x00], .int(0)),
            ([0x8A, 0x01, 0xFF], .int(-1)),
            ([0x8A, 0x02, 0xFF, 0x00], .int(255)),
            ([0x8A, 0x09] + le64(UInt64(Int64.max)) + [0x00], .int(Int.max)),
            ([0x8A, 0x09] + le64(1 << 63) + [0x00], .bigInt(le64(1 << 63) + [0x00])),
            ([0x8A, 0x0A] + TorchCheckpoint.legacyMagic, .bigInt(TorchCheckpoint.legacyMagic)),
            ([0x47, 0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A], .float(0.1)),
            (Array("I01\n".utf8), .bool(true)),
            (Array("I-42\n".utf8), .int(-42)),
            (Array("F2.5\n".utf8), .float(2.5)),
            ([0x8C, 0x02, 0xC3, 0xA9], .string("é")),
            ([0x55, 0x02, 0x61, 0x62], .string("ab")),
            ([0x43, 0x02, 0x00, 0xFF], .bytes([0, 255])),
            ([0x88], .bool(true)),
            ([0x4E], .none)
        ]
        for (ops, expected) in cases {
            let (value, _) = try Self.read([0x80, 0x02] + ops + [0x2E])
            #expect(value == expected, "\(ops)")
        }
    }

    @Test func memoSharesContainersSoLaterMutationsAreSeen() throws {
        // d = {}; memo[0] = d; l = [d]; d['k'] = 1; result (l, memo[0]) -> both see 'k'.
        var p = PickleBuilder()
        p.emptyDict()
        p.op(0x71, [0])  // d, BINPUT 0
        p.op(0x5D)
        p.op(0x68, [0])
        p.op(0x61)  // EMPTY_LIST, BINGET 0, APPEND -> [d]
        p.op(0x68, [0])
        p.string("k")
        p.int(1)
        p.setItem()
        p.op(0x30)  // d['k'] = 1, POP d
        p.op(0x68, [0])
        p.op(0x86)  // (l, d)
        p.stop()
        let (value, doc) = try Self.read(p.bytes)
        guard case .tuple(let t) = value, case .list(let l) = doc.tuples[t][0], case .dict(let d) = doc.tuples[t][1] else {
            Issue.record("unexpected shape \(value)")
            return
        }
        #expect(doc.lists[l] == [.dict(d)])
        #expect(doc.dicts[d]["k"] == .int(1))
    }

    @Test func numpyScalarsAndCodecsBytesAreInertValues() throws {
        // numpy.core.multiarray.scalar(numpy.dtype('f8', False, True) + BUILD, _codecs.encode('...', 'latin1'))
        var p = PickleBuilder()
        p.global("numpy.core.multiarray", "scalar")
        p.global("numpy", "dtype")
        p.string("f8")
        p.newFalse()
        p.op(0x88)
        p.op(0x87)
        p.reduce()
        p.mark()
        p.int(3)
        p.string("<")
        p.op(0x4E)
        p.op(0x4E)
        p.op(0x4E)
        p.int(-1)
        p.int(-1)
        p.int(0)
        p.tuple()
        p.op(0x62)
        p.global("_codecs", "encode")
        let raw = le64((0.0005 as Double).bitPattern)
        p.string(String(raw.map { Character(Unicode.Scalar($0)) }))
        p.string("latin1")
        p.op(0x86)
        p.reduce()
        p.op(0x86)
        p.reduce()
        p.stop()
        let (value, doc) = try Self.read(p.bytes)
        guard case .numpyScalar(let s) = value else {
            Issue.record("not a numpy scalar: \(value)")
            return
        }
        #expect(doc.scalars[s].dtype == "f8")
        #expect(doc.scalars[s].doubleValue == 0.0005)
        #expect(doc.summary(value) == "numpy f8 0.0005")
    }

    @Test func eachResourceLimitIsEnforced() {
        func limitName(_ bytes: [UInt8], _ limits: PickleLimits) -> String? {
            guard case .limitExceeded(_, let what, _)? = checkpointError({ try Self.read(bytes, limits: limits) }) else { return nil }
            return what
        }
        var small = PickleLimits()
        small.maxStack = 10
        #expect(limitName([0x80, 0x02] + [UInt8](repeating: 0x4E, count: 11) + [0x2E], small) == "pickle stack size")
        small = PickleLimits()
        small.maxMarks = 3
        #expect(limitName([0x80, 0x02, 0x28, 0x28, 0x28, 0x28, 0x2E], small) == "pickle MARK nesting")
        small = PickleLimits()
        small.maxMemo = 2
        #expect(limitName([0x80, 0x02, 0x4E, 0x71, 0, 0x71, 1, 0x71, 2, 0x2E], small) == "pickle memo size")
        small = PickleLimits()
        small.maxContainers = 5
        #expect(limitName([0x80, 0x02] + [UInt8](repeating: 0x7D, count: 6) + [0x2E], small) == "pickle containers created")
        small = PickleLimits()
        small.maxStringBytes = 4
        #expect(limitName([0x80, 0x02, 0x58] + le32(5) + Array("hello".utf8) + [0x2E], small) == "pickle string/bytes size")
        small = PickleLimits()
        small.maxLineLength = 8
        #expect(limitName([0x80, 0x02] + Array("cverylongmodule\nx\n".utf8) + [0x2E], small) == "pickle text line length")
        small = PickleLimits()
        small.workPerByte = 0
        small.baseWork = 3
        #expect(limitName([0x80, 0x02, 0x28, 0x4E, 0x4E, 0x4E, 0x4E, 0x74, 0x2E], small) == "pickle work (items copied)")
    }
}
