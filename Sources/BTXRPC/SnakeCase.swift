import BTXSession

/// transmission 4.1's JSON-RPC dialect spells every name in snake_case
/// (`percent_done`, `download_dir`) where the classic one mixes camelCase
/// and kebab-case (`percentDone`, `download-dir`). Requests are read into
/// the classic names and answers written back.
enum SnakeCase {
    /// `hashString` → `hash_string`, `peer-limit` → `peer_limit`, `isUTP` → `is_utp`.
    static func snake(_ classic: String) -> String {
        var out = ""
        var previous: Character?
        for character in classic {
            if character == "-" {
                out.append("_")
            } else if character.isUppercase {
                if let previous, previous.isLowercase || previous.isNumber { out.append("_") }
                out += character.lowercased()
            } else {
                out.append(character)
            }
            previous = character
        }
        return out
    }

    /// Every classic name a request may carry, by its snake_case spelling.
    private static let classicNames: [String: String] = {
        var names: [String: String] = [:]
        for name in TransmissionFields.Field.allCases.map(\.rawValue) + TransmissionFields.sessionFields + argumentNames {
            names[snake(name)] = name
        }
        return names
    }()

    private static let argumentNames = [
        "fields", "ids", "format", "filename", "metainfo", "paused", "download-dir", "files-wanted", "files-unwanted",
        "priority-high", "priority-low", "priority-normal", "labels", "peer-limit", "bandwidthPriority", "cookies",
        "delete-local-data", "location", "move", "path", "name", "downloadLimit", "downloadLimited", "uploadLimit",
        "uploadLimited", "sequentialDownload", "trackerAdd", "trackerRemove", "trackerReplace", "trackerList",
        "queuePosition", "seedRatioLimit", "seedRatioMode", "seedIdleLimit", "seedIdleMode", "honorsSessionLimits",
        "group",
    ]

    static func toClassic(_ json: JSON) -> JSON {
        switch json {
        case .object(let fields):
            return .object(fields.map { key, value in
                let classic = classicNames[key] ?? key
                // torrent_get's fields are names too.
                if classic == "fields", let names = value.arrayValue {
                    return (classic, .array(names.map { $0.stringValue.map { .string(classicNames[$0] ?? $0) } ?? $0 }))
                }
                return (classic, toClassic(value))
            })
        case .array(let items):
            return .array(items.map(toClassic))
        default:
            return json
        }
    }

    static func fromClassic(_ json: JSON) -> JSON {
        switch json {
        case .object(let fields):
            return .object(fields.map { key, value in
                // format "table": the first row names the columns.
                if key == "torrents", var rows = value.arrayValue, let header = rows.first?.arrayValue {
                    rows[0] = .array(header.map { $0.stringValue.map { .string(snake($0)) } ?? $0 })
                    return (key, .array([rows[0]] + rows.dropFirst().map(fromClassic)))
                }
                return (snake(key), fromClassic(value))
            })
        case .array(let items):
            return .array(items.map(fromClassic))
        default:
            return json
        }
    }
}
