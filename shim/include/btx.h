/*
 * btx.h: the C ABI between btx and libtorrent-rasterbar 2.0.
 *
 * Conventions (in the spirit of SQLite and libgit2):
 * - Every function returns BTX_OK (0) or a negative btx_result, and hands
 *   objects back through `out` parameters. No C++ exception ever crosses this
 *   boundary; on failure btx_last_error() describes what went wrong.
 * - Torrent handles are generation-tagged integers. 0 is never valid; a
 *   handle whose torrent was removed is BTX_ERR_BAD_HANDLE, never a crash.
 * - Snapshots (status, files, peers, events, metainfo) cross the ABI in one
 *   call and are owned by the caller until passed to their btx_*_free.
 * - Strings are UTF-8. Byte counts are int64_t. Hashes are lower-case hex.
 */
#ifndef BTX_H
#define BTX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct layout or a function signature changes. */
#define BTX_ABI_VERSION 14

/* ---------------------------------------------------------------- errors */

typedef enum {
    BTX_OK = 0,
    BTX_ERR_INVALID_ARG = -1,  /* NULL pointer, out-of-range value */
    BTX_ERR_BAD_HANDLE = -2,   /* zero, stale or removed handle, NULL session */
    BTX_ERR_NO_MEMORY = -3,
    BTX_ERR_PARSE = -4,        /* malformed bencode, .torrent, magnet or resume data */
    BTX_ERR_IO = -5,           /* a file could not be read or written */
    BTX_ERR_DUPLICATE = -6,    /* the torrent is already in the session */
    BTX_ERR_NO_METADATA = -7,  /* the torrent's metadata has not arrived yet */
    BTX_ERR_CANCELLED = -8,    /* a progress callback asked to stop */
    BTX_ERR_INTERNAL = -9,     /* anything libtorrent threw that fits no other code */
    BTX_ERR_NOT_FOUND = -10    /* a tracker or web seed the torrent does not have */
} btx_result;

/* The message of the last failed call on this thread ("" if none). Owned by
 * the shim; valid until the next btx_* call on the same thread. */
const char *btx_last_error(void);

/* BTX_ABI_VERSION as compiled into the shim; callers compare it with the
 * header they were built against. */
int btx_abi_version(void);

/* libtorrent's version string, e.g. "2.0.8.0". Static storage. */
const char *btx_libtorrent_version(void);

/* Frees a buffer returned by any btx_* function (torrent bytes, resume data). */
void btx_free_buffer(uint8_t *buffer);

/* ---------------------------------------------------------------- session */

typedef struct btx_session btx_session;
typedef uint64_t btx_torrent;

/* A libtorrent settings_pack entry by name ("enable_dht", "listen_interfaces",
 * "download_rate_limit", ...). Values are text: "1"/"0" or "true"/"false" for
 * booleans, decimal for integers. One name is btx's own: "disk_io", "mmap"
 * (libtorrent's default) or "posix", the disk I/O subsystem; only
 * btx_session_new takes it. */
typedef struct {
    const char *name;
    const char *value;
} btx_setting;

/* Starts a session. The shim's CLI-oriented defaults are applied first, then
 * `settings` in order. `dht_state` (may be NULL) is a blob previously
 * returned by btx_session_dht_state. Free with btx_session_free. */
int btx_session_new(const btx_setting *settings, size_t num_settings,
                    const uint8_t *dht_state, size_t dht_state_len,
                    btx_session **out);

/* Stops the session and joins libtorrent's threads. NULL is a no-op. */
void btx_session_free(btx_session *session);

/* Stops libtorrent now and waits for it (trackers get stop_tracker_timeout
 * to hear the news): what btx_session_free does, at a moment the caller
 * chooses. The pointer stays valid for btx_session_free; every other call
 * on it then fails with BTX_ERR_BAD_HANDLE. Closing twice is a no-op. */
int btx_session_close(btx_session *session);

/* Applies settings to a running session. */
int btx_session_apply_settings(btx_session *session, const btx_setting *settings,
                               size_t num_settings);

/* The TCP port the session listens on (0 while not listening). */
int btx_session_listen_port(btx_session *session, int *out_port);

/* The DHT routing table as a bencoded blob; free with btx_free_buffer. */
int btx_session_dht_state(btx_session *session, uint8_t **out, size_t *out_len);

/* -------------------------------------------------------------- torrents */

enum {
    BTX_ADD_PAUSED = 1 << 0,     /* paused by the user: never started by the queue either */
    BTX_ADD_SEQUENTIAL = 1 << 1,
    BTX_ADD_SEED_MODE = 1 << 2,  /* trust the files on disk without checking */
    BTX_ADD_KEEP_SAVED_SETTINGS = 1 << 3, /* resume data's settings stay; see btx_torrent_add */
    BTX_ADD_AUTO_MANAGED = 1 << 4 /* libtorrent's queue starts and stops it (ignored with PAUSED) */
};

typedef struct {
    /* Exactly one source: metainfo bytes, a magnet URI, or resume data
     * (which carries its own metainfo when it was saved with it). */
    const uint8_t *metainfo;
    size_t metainfo_len;
    const char *magnet_uri;
    const uint8_t *resume_data;
    size_t resume_data_len;

    const char *save_path;             /* required unless resume data has one */
    uint32_t flags;                    /* BTX_ADD_* */
    const char *const *trackers;       /* extra announce URLs, one tier each */
    size_t num_trackers;
    const char *const *peers;          /* "host:port" to connect to directly */
    size_t num_peers;
    const uint8_t *file_priorities;    /* 0 = skip .. 7 = top, one per file */
    size_t num_file_priorities;
    int64_t download_limit;            /* bytes/s, 0 = unlimited (or: keep, see below) */
    int64_t upload_limit;
} btx_add_params;

/* Adds a torrent; *out receives its handle.
 *
 * Without BTX_ADD_KEEP_SAVED_SETTINGS the flags and limits above are this
 * run's: whatever resume data recorded for the rate limits, sequential order
 * and upload mode (a disk error's leftover) is replaced by them; a 0 limit
 * is unlimited. Connection and upload-slot caps, super seeding, share mode,
 * trackers and web seeds come from the resume data either way.
 *
 * With BTX_ADD_KEEP_SAVED_SETTINGS (for torrents whose settings the user
 * set to last: btx_torrent_set_limits, btx_torrent_set_flags) the resume
 * data's rate limits, sequential order, upload mode and auto-management stay,
 * and only what the caller asks for explicitly replaces them: a limit > 0,
 * BTX_ADD_SEQUENTIAL (turns it on), BTX_ADD_AUTO_MANAGED (on) and
 * BTX_ADD_PAUSED (off). A limit of 0 keeps the saved one. Upload mode left
 * by a full disk stays too: clear it with btx_torrent_set_flags when the
 * torrent stopped on a disk error.
 *
 * Either way: a torrent is not auto-managed unless BTX_ADD_AUTO_MANAGED (or
 * its kept resume data) says so, BTX_ADD_PAUSED always clears
 * auto-management (a user's pause is not the queue's), and the IP filter
 * applies to it. */
int btx_torrent_add(btx_session *session, const btx_add_params *params, btx_torrent *out);

/* Removes a torrent; its handle turns stale at once. */
int btx_torrent_remove(btx_session *session, btx_torrent torrent, int delete_files);

int btx_torrent_pause(btx_session *session, btx_torrent torrent);
int btx_torrent_resume(btx_session *session, btx_torrent torrent);

/* Hashes every piece on disk again. A paused torrent is checked too and
 * pauses again when the check is done; BTX_EVENT_CHECKED marks the end. */
int btx_torrent_force_recheck(btx_session *session, btx_torrent torrent);

/* Connects to a peer at "host:port" (IPv6 as "[addr]:port"). Asked again for
 * an endpoint that failed, it takes one failure off its count. */
int btx_torrent_connect_peer(btx_session *session, btx_torrent torrent, const char *endpoint);

/* One priority (0..7) per file, in file order (padding never counts as a file). */
/* Renames file `index` (as btx_torrent_files numbers them, pad files left
 * out) to `path`, relative to the save path; data already there is moved.
 * BTX_ERR_INVALID_ARG for an absolute path or one with an empty, "." or ".."
 * part: a rename never leaves the save folder. Done in libtorrent's own
 * time: the file list shows the new path once it is. */
int btx_torrent_rename_file(btx_session *session, btx_torrent torrent, int index, const char *path);

int btx_torrent_set_file_priorities(btx_session *session, btx_torrent torrent,
                                    const uint8_t *priorities, size_t count);

/* Asks for resume data (with the metainfo in it). It arrives as a
 * BTX_EVENT_RESUME_DATA event; with only_if_modified, a torrent unchanged
 * since its last save answers BTX_EVENT_RESUME_DATA_UNCHANGED instead. */
int btx_torrent_save_resume(btx_session *session, btx_torrent torrent, int only_if_modified);

/* Finds the handle of the torrent with this v1 or v2 info-hash (hex). */
int btx_torrent_find(btx_session *session, const char *info_hash_hex, btx_torrent *out);

/* -------------------------------------------------- trackers, web seeds */

typedef enum {
    BTX_TRACKER_NOT_CONTACTED = 0,
    BTX_TRACKER_UPDATING = 1,   /* an announce is in flight */
    BTX_TRACKER_WORKING = 2,    /* its last announce was answered */
    BTX_TRACKER_ERROR = 3,      /* its last announce failed; message says why */
    BTX_TRACKER_DISABLED = 4    /* failed too often, or no listen socket can reach it */
} btx_tracker_state;

typedef struct {
    char *url;               /* owned by the snapshot */
    int tier;                /* 0 = tried first */
    int state;               /* btx_tracker_state */
    char *message;           /* the tracker's last error or warning, one line; "" when none */
    int64_t last_announce;   /* unix seconds the last announce ended (answer or failure), 0 = never */
    int64_t next_announce;   /* unix seconds, 0 when none is scheduled (paused, stopped) */
    int seeds;               /* from the last scrape or announce; -1 unknown */
    int peers;               /* downloaders, likewise; -1 unknown */
    int downloaded;          /* completed downloads the tracker counted; -1 unknown */
} btx_tracker_status;

/* The torrent's trackers in tier order. With several listen sockets or a
 * hybrid torrent libtorrent announces more than once per tracker; each row
 * sums that up (working when any announce is, the best counts). */
int btx_torrent_trackers(btx_session *session, btx_torrent torrent,
                         btx_tracker_status **out, size_t *out_count);
void btx_tracker_statuses_free(btx_tracker_status *trackers, size_t count);

/* Adds an announce URL (http, https or udp) at tier 0..255; a URL the
 * torrent has already is left where it is. It is announced to at once when
 * the torrent runs. */
int btx_torrent_add_tracker(btx_session *session, btx_torrent torrent, const char *url, int tier);

/* Removes a URL; BTX_ERR_NOT_FOUND when the torrent has none such.
 * libtorrent takes the rest as a new list: it forgets their announce state
 * and, as for any list it is given (prefer_udp_trackers), swaps a udp://
 * tracker with an http:// one of the same host that comes before it. */
int btx_torrent_remove_tracker(btx_session *session, btx_torrent torrent, const char *url);

/* Announces to every tracker now, whatever interval the trackers asked
 * for, and to the DHT. Replies arrive as TRACKER_REPLY / TRACKER_ERROR. */
int btx_torrent_reannounce(btx_session *session, btx_torrent torrent);

/* Scrapes every tracker; answers arrive as SCRAPE_REPLY / SCRAPE_FAILED and
 * in btx_torrent_trackers. BTX_ERR_NOT_FOUND when there are no trackers. */
int btx_torrent_scrape(btx_session *session, btx_torrent torrent);

/* The torrent's web seeds (BEP 19 URLs), sorted. Free with btx_strings_free. */
int btx_torrent_web_seeds(btx_session *session, btx_torrent torrent, char ***out, size_t *out_count);
void btx_strings_free(char **strings, size_t count);

/* Adds an http or https web seed (a no-op when present); removes one
 * (BTX_ERR_NOT_FOUND when absent). */
int btx_torrent_add_web_seed(btx_session *session, btx_torrent torrent, const char *url);
int btx_torrent_remove_web_seed(btx_session *session, btx_torrent torrent, const char *url);

/* ---------------------------------------------------------- storage */

/* Moves the torrent's files into `directory` (absolute, an existing
 * writable directory), which becomes its save path. Fails at once when the
 * directory is missing, not a directory, not writable, is where the data
 * already is, or (on another file system) has less room than the files
 * take; otherwise the move runs in the background and ends with
 * BTX_EVENT_STORAGE_MOVED or BTX_EVENT_STORAGE_MOVE_FAILED. A file of the
 * same name already in the target fails the move before anything moves. */
int btx_torrent_move_storage(btx_session *session, btx_torrent torrent, const char *directory);

/* ------------------------------------------------- limits, flags, queue */

/* 0 = unlimited throughout. */
typedef struct {
    int64_t download_rate;   /* bytes/s */
    int64_t upload_rate;
    int max_connections;     /* 0, or at least 2 */
    int max_uploads;         /* unchoked peers */
} btx_limits;

int btx_torrent_limits(btx_session *session, btx_torrent torrent, btx_limits *out);
/* Negative values, rates above 2^31-1 and max_connections 1 are
 * BTX_ERR_INVALID_ARG. Resume data keeps them (see BTX_ADD_KEEP_SAVED_SETTINGS). */
int btx_torrent_set_limits(btx_session *session, btx_torrent torrent, const btx_limits *limits);

enum {
    BTX_TORRENT_SEQUENTIAL = 1 << 0,    /* pieces in order */
    BTX_TORRENT_SUPER_SEEDING = 1 << 1, /* BEP 16 initial seeding; libtorrent drops it on a non-seed */
    BTX_TORRENT_UPLOAD_MODE = 1 << 2,   /* serve pieces, request none */
    BTX_TORRENT_SHARE_MODE = 1 << 3,    /* download only what improves the share ratio */
    BTX_TORRENT_AUTO_MANAGED = 1 << 4   /* libtorrent's queue starts and stops it */
};

int btx_torrent_flags(btx_session *session, btx_torrent torrent, uint32_t *out);
/* Sets the BTX_TORRENT_* bits in `mask` to their value in `flags`; other
 * bits in `mask` are BTX_ERR_INVALID_ARG. */
int btx_torrent_set_flags(btx_session *session, btx_torrent torrent, uint32_t flags, uint32_t mask);

/* The queue position (0 = first in line), or -1 when the torrent is not
 * queued: complete, or not auto-managed. */
int btx_torrent_queue_position(btx_session *session, btx_torrent torrent, int *out);

typedef enum {
    BTX_QUEUE_UP = 1,
    BTX_QUEUE_DOWN = 2,
    BTX_QUEUE_TOP = 3,
    BTX_QUEUE_BOTTOM = 4
} btx_queue_move;

int btx_torrent_queue_move(btx_session *session, btx_torrent torrent, int move);
/* Puts a queued torrent at `position` (0 = first in line; past the end is last). */
int btx_torrent_queue_set(btx_session *session, btx_torrent torrent, int position);

/* Pauses every torrent at once (their own paused flags are left alone, so
 * resuming the session restarts exactly those that ran). */
int btx_session_pause(btx_session *session);
int btx_session_resume(btx_session *session);
int btx_session_is_paused(btx_session *session, int *out_paused);

/* ----------------------------------------------------------------- pieces */

enum {
    BTX_PIECE_HAVE = 1 << 0,        /* verified */
    BTX_PIECE_DOWNLOADING = 1 << 1, /* blocks requested, arriving or being written */
    /* Verified, with blocks still on their way to the file: libtorrent hashes
     * blocks from its write buffer, so a piece can pass before it is written,
     * and another process reading the file then sees zeros. */
    BTX_PIECE_WRITING = 1 << 2
};

typedef struct {
    size_t num_pieces;
    int32_t piece_length;    /* bytes; the last piece may be shorter */
    uint8_t *states;         /* BTX_PIECE_* per piece */
    int32_t *availability;   /* connected peers that have each piece */
} btx_piece_map;

/* BTX_ERR_NO_METADATA until the metadata is known. Free with btx_piece_map_free. */
int btx_torrent_piece_map(btx_session *session, btx_torrent torrent, btx_piece_map **out);
void btx_piece_map_free(btx_piece_map *map);

/* One priority (0 = skip .. 7 = top) per piece. File priorities set later
 * replace these. */
int btx_torrent_set_piece_priorities(btx_session *session, btx_torrent torrent,
                                     const uint8_t *priorities, size_t count);

/* Asks for a piece within `milliseconds` (streaming): such pieces are
 * requested first, soonest deadline first. */
int btx_torrent_set_piece_deadline(btx_session *session, btx_torrent torrent, int piece, int milliseconds);
int btx_torrent_clear_piece_deadlines(btx_session *session, btx_torrent torrent);

/* ------------------------------------------------------------- snapshots */

typedef enum {
    BTX_STATE_CHECKING_FILES = 1,
    BTX_STATE_DOWNLOADING_METADATA = 2,
    BTX_STATE_DOWNLOADING = 3,
    BTX_STATE_FINISHED = 4,
    BTX_STATE_SEEDING = 5,
    BTX_STATE_CHECKING_RESUME_DATA = 7
} btx_state;

typedef struct {
    btx_torrent handle;
    char info_hash_v1[41];    /* "" when the torrent has no v1 hash */
    char info_hash_v2[65];    /* "" when the torrent has no v2 hash */
    char *name;               /* owned by the snapshot */
    char *save_path;          /* owned by the snapshot */
    char *error;              /* owned by the snapshot; "" when no error */
    int state;                /* btx_state */
    int paused;
    int has_metadata;
    double progress;          /* total_done / total_wanted, 0..1 */
    int64_t total_size;       /* every file's bytes; 0 without metadata */
    int64_t total_wanted;     /* bytes of the pieces that hold wanted files */
    int64_t total_done;       /* wanted bytes verified on disk */
    int64_t total_downloaded; /* payload bytes, all sessions, never behind session_downloaded */
    int64_t total_uploaded;
    int64_t session_downloaded; /* payload bytes since this session added it */
    int64_t session_uploaded;
    int64_t download_rate;    /* payload bytes/s; 0 while paused */
    int64_t upload_rate;
    int num_peers;
    int num_seeds;
    int num_pieces;
    int pieces_done;
    int64_t added_time;       /* unix seconds */
    int64_t completed_time;   /* unix seconds, 0 if never */
    int queue_position;       /* 0 = first in line; -1 when not queued (complete, or not auto-managed) */
    int auto_managed;         /* libtorrent's queue starts and stops it */
} btx_status;

/* Status of one torrent (count 1) or of every torrent (torrent == 0). */
int btx_torrent_status(btx_session *session, btx_torrent torrent,
                       btx_status **out, size_t *out_count);
void btx_status_free(btx_status *statuses, size_t count);

/* Asks libtorrent for the statuses of the torrents that changed since the
 * last ask (libtorrent's post_torrent_updates): an idle torrent costs nothing.
 * They come in with the events that btx_session_events drains. */
int btx_session_post_status_updates(btx_session *session);
/* The statuses that came in since the last call, oldest first (a torrent may
 * appear more than once: its last is the newest). Free with btx_status_free. */
int btx_session_status_updates(btx_session *session, btx_status **out, size_t *out_count);
/* The same, current: asks for the updates and waits up to timeout_ms for
 * them (and any asked for before) to come in. libtorrent answers on its
 * thread after every call made before, so a torrent paused, moved in the
 * queue or resumed just now shows it. Alerts drained meanwhile are kept for
 * btx_session_events, and the wake descriptor is written to. */
int btx_session_status_updates_now(btx_session *session, int timeout_ms, btx_status **out, size_t *out_count);

/* A file of the torrent. BEP 47 padding files are never listed: a file's
 * index is its position among the real files. */
typedef struct {
    char *path;          /* relative to the save path; owned by the snapshot */
    int64_t size;
    int64_t offset;      /* within the torrent's byte stream */
    int64_t done;        /* verified bytes of this file */
    int priority;        /* 0..7 */
    int has_root;        /* a v2 or hybrid torrent's file with bytes: root is set */
    uint8_t root[32];    /* its SHA-256 merkle root (BEP 52 "pieces root") */
} btx_file;

int btx_torrent_files(btx_session *session, btx_torrent torrent,
                      btx_file **out, size_t *out_count);
void btx_files_free(btx_file *files, size_t count);

/* Runs body(context) on libtorrent's network thread and returns when it
 * has. Every read of a torrent (btx_torrent_files, _peers, _trackers,
 * _status, _piece_map) is a round trip to that thread, two context switches
 * each; inside body they run in place, so reading thousands of torrents
 * costs one round trip. body may make only such reads: nothing that waits
 * for an event, and libtorrent's networking waits while it runs, so keep it
 * to a few hundred torrents. */
int btx_session_batch(btx_session *session, void (*body)(void *context), void *context);

/* Named for who does what: libtorrent's own "choked" means we choke them. */
enum {
    BTX_PEER_WE_INTERESTED = 1 << 0,   /* we want pieces they have */
    BTX_PEER_THEY_CHOKE_US = 1 << 1,   /* they won't send us pieces now */
    BTX_PEER_THEY_INTERESTED = 1 << 2, /* they want pieces we have */
    BTX_PEER_WE_CHOKE_THEM = 1 << 3,   /* we won't send them pieces now */
    BTX_PEER_SEED = 1 << 4,
    BTX_PEER_ENCRYPTED = 1 << 5,
    BTX_PEER_UTP = 1 << 6,
    BTX_PEER_INCOMING = 1 << 7         /* they connected to us */
};

typedef struct {
    char address[64];     /* "1.2.3.4:6881" or "[::1]:6881" */
    char client[64];
    uint32_t flags;       /* BTX_PEER_* */
    double progress;
    int64_t download_rate;
    int64_t upload_rate;
    int64_t total_downloaded;
    int64_t total_uploaded;
} btx_peer;

int btx_torrent_peers(btx_session *session, btx_torrent torrent,
                      btx_peer **out, size_t *out_count);
void btx_peers_free(btx_peer *peers, size_t count);

/* ----------------------------------------------------------------- events */

typedef enum {
    BTX_EVENT_OTHER = 0,
    BTX_EVENT_ADDED = 1,
    BTX_EVENT_METADATA_RECEIVED = 2,
    BTX_EVENT_STATE_CHANGED = 3,     /* value = new btx_state */
    BTX_EVENT_FINISHED = 4,          /* every wanted piece is verified */
    BTX_EVENT_PAUSED = 5,
    BTX_EVENT_RESUMED = 6,
    BTX_EVENT_CHECKED = 7,
    BTX_EVENT_REMOVED = 8,
    BTX_EVENT_RESUME_DATA = 9,       /* data = bencoded resume data; value = the pieces it holds */
    BTX_EVENT_RESUME_DATA_FAILED = 10,
    BTX_EVENT_TORRENT_ERROR = 11,
    BTX_EVENT_FILE_ERROR = 12,
    BTX_EVENT_HASH_FAILED = 13,      /* value = piece index */
    BTX_EVENT_TRACKER_REPLY = 14,    /* value = peers returned */
    BTX_EVENT_TRACKER_ERROR = 15,
    BTX_EVENT_LISTEN_SUCCEEDED = 16, /* value = port */
    BTX_EVENT_LISTEN_FAILED = 17,
    BTX_EVENT_FILES_DELETED = 18,
    BTX_EVENT_DHT_BOOTSTRAPPED = 19,
    BTX_EVENT_RESUME_DATA_UNCHANGED = 20, /* answer to a save of an unmodified torrent */
    BTX_EVENT_DHT_ITEM = 21,         /* dht = the result of btx_dht_get */
    BTX_EVENT_DHT_PUT = 22,          /* dht = what btx_dht_put_* stored; dht->nodes stored it */
    BTX_EVENT_PEER_BLOCKED = 23,     /* the IP filter refused or dropped a peer; message = its address
                                        ("1.2.3.4", "::1"); torrent 0 for an incoming connection
                                        refused before it named a torrent */
    BTX_EVENT_STORAGE_MOVED = 24,    /* btx_torrent_move_storage is done; message = the new save path */
    BTX_EVENT_STORAGE_MOVE_FAILED = 25, /* message = "PATH: REASON (OPERATION)"; the data stays where it was */
    BTX_EVENT_SCRAPE_REPLY = 26,     /* url = the tracker; value = its seed count */
    BTX_EVENT_SCRAPE_FAILED = 27,    /* url = the tracker; message = why */
    BTX_EVENT_WEB_SEED_ERROR = 28,   /* a web seed (BEP 19) failed: url = it ("" when it cannot be
                                        told apart from the torrent's others), message = why */
    BTX_EVENT_FILE_COMPLETED = 29    /* every piece of a file is verified: message = its path in the
                                        torrent (as btx_torrent_files has it), value = libtorrent's index */
} btx_event_type;

/* A BEP 44 item. Immutable items have no key, signature, salt or seq. */
typedef struct {
    char target[41];       /* the item's DHT id: SHA-1 of the value, or of key + salt */
    int is_mutable;
    char public_key[65];   /* hex, "" for immutable items */
    char signature[129];   /* hex */
    uint8_t *salt;
    size_t salt_len;
    int64_t seq;
    uint8_t *value;        /* bencoded; NULL when nothing was found */
    size_t value_len;
    int authoritative;     /* mutable get: every node on the path has answered */
    int nodes;             /* get: nodes that returned the item; put: nodes that stored it */
} btx_dht_item;

typedef struct {
    int type;             /* btx_event_type */
    btx_torrent torrent;  /* 0 when the event concerns no torrent */
    char info_hash[65];   /* the torrent's best info-hash, "" if none */
    int64_t value;        /* event-specific, see btx_event_type */
    char *message;        /* human-readable; owned by the snapshot */
    uint8_t *data;        /* event-specific bytes; owned by the snapshot */
    size_t data_len;
    btx_dht_item *dht;    /* DHT_ITEM and DHT_PUT events; owned by the snapshot */
    char *url;            /* the tracker of TRACKER_* and SCRAPE_* events, else NULL; owned by the snapshot */
} btx_event;

/* A descriptor that turns readable when events are waiting, for poll()
 * loops that also watch sockets. Read and discard its bytes, then drain with
 * btx_session_events(session, 0, ...). Owned by the session. */
int btx_session_wake_fd(btx_session *session, int *out_fd);

/* Waits up to timeout_ms for events (0 = don't wait) and drains them all. */
int btx_session_events(btx_session *session, int timeout_ms,
                       btx_event **out, size_t *out_count);
void btx_events_free(btx_event *events, size_t count);

/* -------------------------------------------------------------- ip filter */

/* An inclusive range of addresses, in network byte order. An IPv4 address
 * fills the first 4 bytes. */
typedef struct {
    int family;          /* 4 or 6 */
    uint8_t first[16];
    uint8_t last[16];
} btx_ip_range;

/* Replaces the session's IP filter with these blocked ranges (copied;
 * count 0 clears it). Peers in them are refused, incoming and outgoing,
 * trackers there are not announced to, and connected ones are dropped now;
 * each refusal is a BTX_EVENT_PEER_BLOCKED. Every torrent btx_torrent_add
 * adds is subject to it, whatever its resume data says. */
int btx_session_set_ip_filter(btx_session *session, const btx_ip_range *ranges, size_t count);

/* Decompresses gzip data (every member, as gzip -d does). BTX_ERR_PARSE for
 * damaged or truncated input, BTX_ERR_INVALID_ARG when the output would pass
 * max_len bytes. *out is freed with btx_free_buffer. */
int btx_gunzip(const uint8_t *data, size_t len, size_t max_len, uint8_t **out, size_t *out_len);

/* PBKDF2-HMAC-SHA256 of password with salt: out_len bytes into out. */
int btx_pbkdf2_sha256(const char *password, size_t password_len, const uint8_t *salt, size_t salt_len,
                      int iterations, uint8_t *out, size_t out_len);

/* -------------------------------------------------------------------- dht */

/* BEP 44's limit on an item's bencoded value. */
#define BTX_DHT_MAX_VALUE 1000

/* Adds a DHT node to ping and keep in the routing table ("host:port" with a
 * literal address). Unlike dht_bootstrap_nodes routers, such nodes take part
 * in gets and puts: what a private DHT needs. */
int btx_session_add_dht_node(btx_session *session, const char *endpoint);

/* Live nodes in the DHT routing table now: those that have answered, which
 * a lookup starts from (not the unverified replacement entries). */
int btx_session_dht_node_count(btx_session *session, int *out_count);

/* How disk-bound the session is now: peers waiting for a disk write to
 * finish before they receive more, and for a disk read before they send
 * more (libtorrent's num_peers_down_disk and num_peers_up_disk). */
int btx_session_disk_queue(btx_session *session, int *out_waiting_write, int *out_waiting_read);

/* Looks an item up: a 40-hex target is immutable, a 64-hex public key is
 * mutable (with salt). The answer arrives as BTX_EVENT_DHT_ITEM; a mutable
 * lookup may answer early with authoritative == 0. */
int btx_dht_get(btx_session *session, const char *target_hex, const uint8_t *salt, size_t salt_len);

/* Stores a bencoded value as an immutable item; *target_out (41 bytes)
 * receives its hex target. Completion arrives as BTX_EVENT_DHT_PUT. */
int btx_dht_put_immutable(btx_session *session, const uint8_t *value, size_t value_len, char *target_out);

/* Signs and stores a mutable item under the ed25519 key derived from the
 * 32-byte seed. seq < 0 means one more than the seq found on the DHT (1 for
 * a new item). With cas >= 0 the put only replaces an item whose seq is cas;
 * otherwise it republishes what it found and the DHT_PUT event's message
 * says "cas mismatch". *public_key_out (65 bytes) receives the key in hex. */
int btx_dht_put_mutable(btx_session *session, const uint8_t *seed, const uint8_t *value, size_t value_len,
                        const uint8_t *salt, size_t salt_len, int64_t seq, int64_t cas, char *public_key_out);

/* The public key (hex, 65 bytes with the NUL) of the seed's key pair. */
int btx_dht_public_key(const uint8_t *seed, char *public_key_out);

/* --------------------------------------------------------------- metainfo */

typedef struct {
    char *url;
    int tier;
} btx_tracker;

typedef struct {
    char *name;
    char info_hash_v1[41];
    char info_hash_v2[65];
    int piece_length;
    int num_pieces;
    int64_t total_size;         /* every file's bytes, padding excluded */
    int is_private;
    char *comment;
    char *creator;
    char *source;
    int64_t creation_date;      /* unix seconds, 0 when absent */
    char *magnet_uri;
    btx_tracker *trackers;
    size_t num_trackers;
    char **web_seeds;
    size_t num_web_seeds;
    btx_file *files;            /* NULL unless asked for */
    size_t num_files;           /* counted even when files is NULL */
} btx_metainfo;

/* Parses .torrent bytes. With want_files == 0 the file list is skipped
 * (num_files is still set). Free with btx_metainfo_free. */
int btx_metainfo_parse(const uint8_t *bytes, size_t len, int want_files, btx_metainfo **out);
void btx_metainfo_free(btx_metainfo *info);

/* What a magnet link names: hashes, name, trackers (no files, no pieces). */
int btx_magnet_parse(const char *uri, btx_metainfo **out);

/* Reads saved resume data without a session. *out_status (free with
 * btx_status_free(p, 1)) has handle 0, no rates or peers, and progress from
 * the saved piece bitfield; its state is DOWNLOADING_METADATA, DOWNLOADING,
 * FINISHED (every wanted file done) or SEEDING (every piece). When
 * out_metainfo is not NULL it receives the metainfo (files with progress and
 * priority when want_files != 0). */
int btx_resume_parse(const uint8_t *bytes, size_t len, int want_files,
                     btx_status **out_status, btx_metainfo **out_metainfo);

/* The same resume data with its paused flag set or cleared: a torrent
 * checked in a session of its own is added paused there, yet must be saved
 * as it was. *out is freed with btx_free_buffer. */
int btx_resume_set_paused(const uint8_t *bytes, size_t len, int paused, uint8_t **out, size_t *out_len);

/* The .torrent file saved resume data holds: its info dictionary byte for
 * byte (so the same info-hash), its trackers, web seeds and, for v2, the
 * piece layers. BTX_ERR_NO_METADATA for a magnet whose metadata has not
 * arrived. *out is freed with btx_free_buffer. */
int btx_resume_torrent_file(const uint8_t *bytes, size_t len, uint8_t **out, size_t *out_len);

/* ---------------------------------------------------------- content check */

/* Called on the calling thread with pieces done so far (creating or
 * checking); a non-zero return cancels the work (BTX_ERR_CANCELLED). */
typedef int (*btx_progress_fn)(void *context, int64_t pieces_done, int64_t pieces_total);

typedef enum {
    BTX_CONTENT_GOOD = 0,       /* on disk, and its hash matches */
    BTX_CONTENT_BAD = 1,        /* a piece failed its hash; for a file also: longer than the torrent says */
    BTX_CONTENT_MISSING = 2,    /* not on disk: a file absent, or shorter than the torrent says */
    BTX_CONTENT_INCOMPLETE = 3  /* files only: there, nothing bad, but some of its pieces are missing */
} btx_content_state;

typedef struct {
    char *path;              /* relative to the save path, as in btx_file; owned by the check */
    int64_t size;            /* what the torrent says */
    int64_t size_on_disk;    /* -1 when there is no regular file */
    int state;               /* btx_content_state */
    int first_piece;         /* the first piece that holds some of it; -1 for an empty file */
    int pieces;              /* pieces that hold some of it, from first_piece on */
    int pieces_good;
} btx_content_file;

typedef struct {
    size_t num_pieces;
    uint8_t *pieces;         /* btx_content_state per piece (GOOD, BAD or MISSING) */
    btx_content_file *files; /* the real files, padding never listed */
    size_t num_files;
    int hash_version;        /* 1: SHA-1 pieces (v1 and hybrid torrents), 2: SHA-256 piece layers (v2) */
} btx_content_check;

/* Checks the data under save_path against the .torrent's piece hashes with
 * no session, reading the files directly on num_threads threads (0 = every
 * core). Pieces with bytes absent from disk are not read. `progress` (may be
 * NULL) runs on the calling thread with pieces checked so far; non-zero
 * cancels (BTX_ERR_CANCELLED). A file that cannot be read (other than being
 * absent) is BTX_ERR_IO. Free with btx_content_check_free. */
int btx_check_content(const uint8_t *metainfo, size_t len, const char *save_path, int num_threads,
                      btx_progress_fn progress, void *progress_context, btx_content_check **out);
void btx_content_check_free(btx_content_check *check);

/* ----------------------------------------------------------------- create */

typedef enum {
    BTX_FORMAT_V1 = 1,
    BTX_FORMAT_V2 = 2,
    BTX_FORMAT_HYBRID = 3
} btx_format;

typedef struct {
    /* The files, relative to base_dir; the first path component is the
     * torrent's name unless there is exactly one file with no directory. */
    const char *base_dir;
    const char *const *file_paths;
    const int64_t *file_sizes;
    size_t num_files;

    int format;                       /* btx_format */
    int piece_length;                 /* a power of two >= 16 KiB */
    const char *const *trackers;
    const int *tracker_tiers;         /* one per tracker */
    size_t num_trackers;
    const char *const *web_seeds;
    size_t num_web_seeds;
    int is_private;
    const char *comment;              /* NULL or "" = none */
    const char *creator;
    const char *source;
    int64_t creation_date;            /* unix seconds; 0 = leave out */
    int num_threads;                  /* 0 = every core */
    btx_progress_fn progress;         /* may be NULL */
    void *progress_context;
} btx_create_params;

/* Hashes the files and returns the bencoded .torrent in *out (free with
 * btx_free_buffer). */
int btx_create_torrent(const btx_create_params *params, uint8_t **out, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* BTX_H */
