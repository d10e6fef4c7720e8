import Glibc

extension StateDirectory {
    /// Deletes the temporary files of resume-data writes that a killed
    /// session left half done (FileIO.writeAtomically's `.btx-XXXXXX`): the
    /// file they were to replace is intact. Run under the state lock, so no
    /// live writer owns them.
    public func removeAbandonedWrites() {
        guard let dir = opendir(resumeDirectory) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(".btx-") { unlink(resumeDirectory + "/" + name) }
        }
    }
}
