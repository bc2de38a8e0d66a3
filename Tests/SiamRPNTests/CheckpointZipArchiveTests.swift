import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// The ZIP reader on real archives: torch.save files (ZIP64 end records, data descriptors,
/// 64-byte aligned data) and a NumPy `.npz`.
struct CheckpointZipArchiveTests {
    @Test func torchArchiveListsEveryEntryWithAlignedStoredData() throws {
        let archive = try ZipArchive(contentsOf: Fixtures.url("checkpoints/small_zip.pth"))
        #expect(archive.entries.count == 77)
        #expect(archive.names.first == "small_zip/data.pkl" && archive.names.last == "small_zip/version")
        #expect(try archive.bytes(of: "small_zip/version") == Array("3\n".utf8))
        for entry in archive.entries {
            #expect(entry.method == 0 && entry.compressedSize == entry.uncompressedSize, "\(entry.name)")
            // torch pads local headers so that every record's data starts on a 64-byte boundary.
            #expect(entry.dataRange.lowerBound % 64 == 0, "\(entry.name)")
        }
        #expect(archive.entry(named: "small_zip/data/0")?.uncompressedSize == 19 * 3 * 11 * 11 * 4)
        #expect(!archive.contains("small_zip/data/999"))
        #expect(checkpointError { try archive.bytes(of: "nope") } == .missingEntry(file: archive.source, entry: "nope"))
    }

    @Test func numpySavezArchiveEntriesAreNpyArrays() throws {
        // Written by numpy.savez (Tests/Fixtures/README.md section 8): stored entries "<key>.npy".
        let archive = try ZipArchive(contentsOf: Fixtures.url("training/bn_running_after_train_forward_f64.npz"))
        #expect(archive.names.count == 22)
        #expect(archive.names.first == "backbone.features.1.running_mean.npy")
        let array = try NumPyArray(npyBytes: archive.bytes(of: "backbone.features.1.running_mean.npy"))
        #expect(array.dtype == .float64 && array.shape == [19])
        let values = array.doubles()
        for (v, want) in zip(values.prefix(3), [-109.83053197, 39.72050204, -13.84600641]) {
            #expect(abs(v - want) < 1e-7)
        }
    }

    @Test func archiveWithoutZip64RecordsAndEmptyArchivesParse() throws {
        var zip = ZipBuilder()
        zip.zip64 = false
        zip.add("a.txt", Array("hello".utf8))
        zip.add("empty", [])
        let archive = try ZipArchive(bytes: zip.build())
        #expect(archive.names == ["a.txt", "empty"])
        #expect(try archive.bytes(of: "a.txt") == Array("hello".utf8))
        #expect(try archive.bytes(of: "empty") == [])
        #expect(try ZipArchive(bytes: ZipBuilder().build()).entries.isEmpty)
    }
}
