/// The Content-Type of a served file, by its extension: players pick a
/// demuxer from it, browsers decide between showing and saving.
public enum MediaType {
    public static let fallback = "application/octet-stream"

    private static let byExtension: [String: String] = [
        // video
        "mp4": "video/mp4", "m4v": "video/mp4", "mkv": "video/x-matroska", "webm": "video/webm",
        "avi": "video/x-msvideo", "mov": "video/quicktime", "wmv": "video/x-ms-wmv", "flv": "video/x-flv",
        "ts": "video/mp2t", "m2ts": "video/mp2t", "mpg": "video/mpeg", "mpeg": "video/mpeg", "ogv": "video/ogg",
        "3gp": "video/3gpp",
        // audio
        "mp3": "audio/mpeg", "m4a": "audio/mp4", "m4b": "audio/mp4", "aac": "audio/aac", "flac": "audio/flac",
        "ogg": "audio/ogg", "oga": "audio/ogg", "opus": "audio/opus", "wav": "audio/wav", "wma": "audio/x-ms-wma",
        "mka": "audio/x-matroska",
        // subtitles, playlists, text
        "srt": "application/x-subrip", "vtt": "text/vtt", "ass": "text/x-ssa", "ssa": "text/x-ssa",
        "m3u": "audio/x-mpegurl", "m3u8": "application/vnd.apple.mpegurl",
        "txt": "text/plain; charset=utf-8", "nfo": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "json": "application/json",
        "xml": "application/xml", "csv": "text/csv; charset=utf-8",
        // images and documents
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
        "svg": "image/svg+xml", "bmp": "image/bmp", "pdf": "application/pdf", "epub": "application/epub+zip",
        // archives and images of discs
        "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar", "xz": "application/x-xz",
        "bz2": "application/x-bzip2", "7z": "application/x-7z-compressed", "iso": "application/x-iso9660-image",
    ]

    public static func of(path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return fallback }
        return byExtension[name[name.index(after: dot)...].lowercased()] ?? fallback
    }
}
