//! The bytes of a ZIP archive written as a stream: entries stored as they are (video does
//! not compress), each followed by a data descriptor with its CRC-32, then the central
//! directory. ZIP64 records are written where a size or an offset needs them, so archives
//! and entries over 4 GiB work (PKWARE APPNOTE 6.3, sections 4.3 and 4.5).
//!
//! The writer only makes headers: the caller streams each entry's `size` bytes between
//! [`ZipWriter::begin_entry`] and [`ZipWriter::end_entry`].

const LOCAL_HEADER: u32 = 0x0403_4b50;
const DATA_DESCRIPTOR: u32 = 0x0807_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const ZIP64_END: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const END: u32 = 0x0605_4b50;
const ZIP64_EXTRA: u16 = 0x0001;
/// Sizes, CRC in the data descriptor (bit 3); names in UTF-8 (bit 11).
const FLAGS: u16 = 0x0808;
const VERSION_ZIP64: u16 = 45;
const VERSION_PLAIN: u16 = 20;
/// Made by Unix (so that the external attributes are read as a mode), version 4.5.
const MADE_BY: u16 = (3 << 8) | VERSION_ZIP64;
/// A regular file, rw-r--r--.
const FILE_MODE: u32 = 0o100_644 << 16;
const U32_MAX: u64 = 0xFFFF_FFFF;

struct Entry {
    name: String,
    size: u64,
    crc: u32,
    offset: u64,
}

impl Entry {
    /// Whether the size needs ZIP64: then the local header carries a ZIP64 extra field and
    /// the data descriptor 8-byte sizes.
    fn large(&self) -> bool {
        self.size >= U32_MAX
    }
}

/// Where the archive stands: its length so far and the entries written.
pub struct ZipWriter {
    offset: u64,
    entries: Vec<Entry>,
    /// Opened by `begin_entry`, closed by `end_entry`.
    open: Option<Entry>,
    dos_time: u16,
    dos_date: u16,
}

impl ZipWriter {
    /// An empty archive whose entries are dated `unix_seconds` (UTC).
    pub fn new(unix_seconds: i64) -> Self {
        let (dos_time, dos_date) = dos_date_time(unix_seconds);
        Self {
            offset: 0,
            entries: Vec::new(),
            open: None,
            dos_time,
            dos_date,
        }
    }

    /// The archive's length so far, data the caller streamed included.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The local header of an entry of `size` bytes; its bytes must follow it.
    pub fn begin_entry(&mut self, name: &str, size: u64) -> Vec<u8> {
        debug_assert!(self.open.is_none(), "an entry is still open");
        let entry = Entry {
            name: name.to_owned(),
            size,
            crc: 0,
            offset: self.offset,
        };
        let mut out = Vec::with_capacity(30 + name.len() + 20);
        put32(&mut out, LOCAL_HEADER);
        put16(&mut out, version_needed(entry.large()));
        put16(&mut out, FLAGS);
        put16(&mut out, 0); // stored
        put16(&mut out, self.dos_time);
        put16(&mut out, self.dos_date);
        put32(&mut out, 0); // CRC-32: in the data descriptor
        let sizes = if entry.large() { 0xFFFF_FFFF } else { 0 };
        put32(&mut out, sizes);
        put32(&mut out, sizes);
        put16(&mut out, name_len(name));
        put16(&mut out, if entry.large() { 20 } else { 0 });
        out.extend_from_slice(name.as_bytes());
        if entry.large() {
            // Sizes follow in the data descriptor, as bit 3 says.
            put16(&mut out, ZIP64_EXTRA);
            put16(&mut out, 16);
            put64(&mut out, 0);
            put64(&mut out, 0);
        }
        self.offset += out.len() as u64 + size;
        self.open = Some(entry);
        out
    }

    /// The data descriptor that closes the open entry, whose bytes had `crc` as CRC-32.
    pub fn end_entry(&mut self, crc: u32) -> Vec<u8> {
        let Some(mut entry) = self.open.take() else {
            return Vec::new();
        };
        entry.crc = crc;
        let mut out = Vec::with_capacity(24);
        put32(&mut out, DATA_DESCRIPTOR);
        put32(&mut out, crc);
        if entry.large() {
            put64(&mut out, entry.size);
            put64(&mut out, entry.size);
        } else {
            put32(&mut out, entry.size as u32);
            put32(&mut out, entry.size as u32);
        }
        self.offset += out.len() as u64;
        self.entries.push(entry);
        out
    }

    /// The central directory and end records: the archive's last bytes.
    pub fn finish(&mut self) -> Vec<u8> {
        let directory_offset = self.offset;
        let mut out = Vec::new();
        for entry in &self.entries {
            self.central_header(&mut out, entry);
        }
        let directory_size = out.len() as u64;
        let count = self.entries.len() as u64;
        if count >= 0xFFFF || directory_offset >= U32_MAX || directory_size >= U32_MAX {
            let zip64_end_offset = directory_offset + directory_size;
            put32(&mut out, ZIP64_END);
            put64(&mut out, 44); // the record's size after this field
            put16(&mut out, MADE_BY);
            put16(&mut out, VERSION_ZIP64);
            put32(&mut out, 0); // this disk
            put32(&mut out, 0); // the directory's disk
            put64(&mut out, count);
            put64(&mut out, count);
            put64(&mut out, directory_size);
            put64(&mut out, directory_offset);
            put32(&mut out, ZIP64_LOCATOR);
            put32(&mut out, 0);
            put64(&mut out, zip64_end_offset);
            put32(&mut out, 1); // disks in all
        }
        put32(&mut out, END);
        put16(&mut out, 0);
        put16(&mut out, 0);
        put16(&mut out, count.min(0xFFFF) as u16);
        put16(&mut out, count.min(0xFFFF) as u16);
        put32(&mut out, directory_size.min(U32_MAX) as u32);
        put32(&mut out, directory_offset.min(U32_MAX) as u32);
        put16(&mut out, 0); // no comment
        self.offset += out.len() as u64;
        out
    }

    fn central_header(&self, out: &mut Vec<u8>, entry: &Entry) {
        let large_offset = entry.offset >= U32_MAX;
        let mut extra = Vec::new();
        if entry.large() {
            put64(&mut extra, entry.size);
            put64(&mut extra, entry.size);
        }
        if large_offset {
            put64(&mut extra, entry.offset);
        }
        put32(out, CENTRAL_HEADER);
        put16(out, MADE_BY);
        put16(out, version_needed(entry.large() || large_offset));
        put16(out, FLAGS);
        put16(out, 0);
        put16(out, self.dos_time);
        put16(out, self.dos_date);
        put32(out, entry.crc);
        let size = if entry.large() {
            0xFFFF_FFFF
        } else {
            entry.size as u32
        };
        put32(out, size);
        put32(out, size);
        put16(out, name_len(&entry.name));
        put16(
            out,
            if extra.is_empty() {
                0
            } else {
                extra.len() as u16 + 4
            },
        );
        put16(out, 0); // no comment
        put16(out, 0); // disk
        put16(out, 0); // internal attributes
        put32(out, FILE_MODE);
        put32(out, entry.offset.min(U32_MAX) as u32);
        out.extend_from_slice(entry.name.as_bytes());
        if !extra.is_empty() {
            put16(out, ZIP64_EXTRA);
            put16(out, extra.len() as u16);
            out.extend_from_slice(&extra);
        }
    }
}

/// The exact length of an archive of these entries (names and sizes), as written.
pub fn archive_size<'a>(entries: impl IntoIterator<Item = (&'a str, u64)>) -> u64 {
    let mut writer = ZipWriter::new(0);
    for (name, size) in entries {
        writer.begin_entry(name, size);
        writer.end_entry(0);
    }
    writer.finish();
    writer.offset()
}

fn version_needed(zip64: bool) -> u16 {
    if zip64 { VERSION_ZIP64 } else { VERSION_PLAIN }
}

/// Names are kept short by their makers ([`unique_names`](crate::exports)); a longer one is
/// cut to what the 16-bit field holds.
fn name_len(name: &str) -> u16 {
    name.len().min(0xFFFF) as u16
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// MS-DOS time and date (two-second precision, 1980 to 2107), in UTC.
fn dos_date_time(unix_seconds: i64) -> (u16, u16) {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix_seconds) else {
        return (0, (1 << 5) | 1);
    };
    let year = at.year().clamp(1980, 2107);
    if year != at.year() {
        return (0, (((year - 1980) as u16) << 9) | (1 << 5) | 1);
    }
    let time =
        (u16::from(at.hour()) << 11) | (u16::from(at.minute()) << 5) | u16::from(at.second() / 2);
    let date = (((year - 1980) as u16) << 9)
        | (u16::from(u8::from(at.month())) << 5)
        | u16::from(at.day());
    (time, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(1_764_000_000);
        let mut out = Vec::new();
        for (name, bytes) in entries {
            out.extend(writer.begin_entry(name, bytes.len() as u64));
            out.extend_from_slice(bytes);
            out.extend(writer.end_entry(crc32fast::hash(bytes)));
        }
        out.extend(writer.finish());
        assert_eq!(writer.offset(), out.len() as u64);
        out
    }

    #[test]
    fn the_predicted_size_is_the_written_size() {
        let entries: [(&str, &[u8]); 3] = [("a.mp4", b"first"), ("b.mp4", b""), ("ü.mp4", b"x")];
        let written = archive(&entries);
        let predicted = archive_size(entries.iter().map(|(n, b)| (*n, b.len() as u64)));
        assert_eq!(predicted, written.len() as u64);
    }

    #[test]
    fn an_empty_archive_is_the_end_record_alone() {
        assert_eq!(archive(&[]).len(), 22);
    }

    #[test]
    fn dates_are_dos_dates_in_utc() {
        // 2025-11-24 16:00:00 UTC
        let (time, date) = dos_date_time(1_764_000_000);
        assert_eq!(date, ((2025 - 1980) << 9) | (11 << 5) | 24);
        assert_eq!(time, 16 << 11);
        assert_eq!(
            dos_date_time(0).1,
            (1 << 5) | 1,
            "before 1980: its first day"
        );
    }

    /// Zeros' CRC-32, a MiB at a time.
    fn crc_of_zeros(len: u64) -> u32 {
        let chunk = vec![0u8; 1 << 20];
        let mut hasher = crc32fast::Hasher::new();
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len() as u64) as usize;
            hasher.update(&chunk[..n]);
            left -= n as u64;
        }
        hasher.finalize()
    }

    #[test]
    fn a_standard_reader_reads_an_entry_over_4_gib_and_an_entry_past_it() {
        use std::io::{Read, Seek, SeekFrom, Write};
        // A sparse file: the large entry's zeros are skipped over, never written.
        let path = std::env::temp_dir().join(format!("zip64-test-{}.zip", std::process::id()));
        let big = U32_MAX + 4096;
        let mut file = std::fs::File::create(&path).expect("temp file");
        let mut writer = ZipWriter::new(1_764_000_000);
        file.write_all(&writer.begin_entry("big.mp4", big))
            .expect("written");
        file.seek(SeekFrom::Current(big as i64)).expect("seek");
        file.write_all(&writer.end_entry(crc_of_zeros(big)))
            .expect("written");
        file.write_all(&writer.begin_entry("small.mp4", 4))
            .expect("written");
        file.write_all(b"tail").expect("written");
        file.write_all(&writer.end_entry(crc32fast::hash(b"tail")))
            .expect("written");
        file.write_all(&writer.finish()).expect("written");
        drop(file);
        assert_eq!(
            std::fs::metadata(&path).expect("meta").len(),
            writer.offset()
        );

        let mut zip =
            zip::ZipArchive::new(std::fs::File::open(&path).expect("open")).expect("a ZIP");
        let mut small = String::new();
        zip.by_name("small.mp4")
            .expect("small")
            .read_to_string(&mut small)
            .expect("read");
        assert_eq!(small, "tail");
        let mut entry = zip.by_name("big.mp4").expect("big");
        assert_eq!(entry.size(), big);
        // The reader checks the CRC-32 when it reaches the end of the entry.
        let copied = std::io::copy(&mut entry, &mut std::io::sink()).expect("CRC valid");
        assert_eq!(copied, big);
        drop(entry);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn more_entries_than_the_plain_end_record_counts_take_the_zip64_end_record() {
        let names: Vec<String> = (0..70_000).map(|n| format!("{n}.mp4")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"v"[..])).collect();
        let bytes = archive(&entries);
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
        assert_eq!(zip.len(), 70_000);
        let mut last = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("69999.mp4").expect("last"), &mut last)
            .expect("read");
        assert_eq!(last, "v");
    }
}
