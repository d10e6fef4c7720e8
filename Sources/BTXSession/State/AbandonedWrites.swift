import Glibc

extension StateDirectory {
    /// Deletes the temporary files of resume-data writes that a killed
    /// session left half done (FileIO.writeAtomically's `.btx-XXXXXX`): the
    /// file they were to replace is intact. Run under the state lock, so no
    /// live writer owns them.
    public func removeAbandonedWrites() {
        guard let listing = try? SavedHashListing(self, sweeping: true) else { return }
        while !listing.isDone { _ = listing.next(4096) }
    }
}
