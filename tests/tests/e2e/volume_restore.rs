//! Volume-level restores of a sparse disk image holding an ext4 file
//! system (made with `mkfs.ext4` and filled with `debugfs`, no mounts):
//! restore to a new image and again over it writing only the changed
//! blocks, refusals of an existing target without --yes and of a smaller
//! one, export to every disk format checked with `qemu-img compare` and
//! `qemu-img check`, and the volume published over NBD read back whole;
//! in the window, Restore ▾ Entire computer / volume… through to a VHDX
//! export and to a confirmed restore over an existing image.

use cairn_tests::cli::Cairn;
use cairn_tests::scheduler::results_of;
use cairn_tests::tree::bytes;
use cairn_tests::webdriver::Window;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};

const MIB: usize = 1 << 20;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8")
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().expect(name);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} {args:?}: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Writes `content` into the ext4 image as the file `name`.
fn put_file(img: &Path, dir: &Path, name: &str, content: &[u8]) {
    let src = dir.join(name);
    std::fs::write(&src, content).expect("write");
    let cmd = format!("write {} {name}", s(&src));
    tool("/usr/sbin/debugfs", &["-w", "-R", &cmd, s(img)]);
}

/// 1 MiB blocks that differ between two files of one size.
fn differing_blocks(a: &Path, b: &Path) -> u64 {
    let (a, b) = (std::fs::read(a).expect("a"), std::fs::read(b).expect("b"));
    assert_eq!(a.len(), b.len());
    a.chunks(MIB)
        .zip(b.chunks(MIB))
        .filter(|(x, y)| x != y)
        .count() as u64
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    std::fs::read(a).expect("a") == std::fs::read(b).expect("b")
}

#[test]
fn a_volume_is_restored_by_changed_blocks_exported_to_every_format_and_published_over_nbd() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (c, img) = backed_up_image(dir);
    let vols = c.ok(&["--json", "volumes", "disk"]).json();
    assert_eq!(vols["volumes"][0]["path"], s(&img), "{vols}");
    assert_eq!(vols["volumes"][0]["size"], 64 << 20, "{vols}");

    // A new image file: only data is written, the rest stays holes.
    let restored = dir.join("restored.img");
    let restore = |extra: &[&str]| {
        let mut args = vec!["--json", "restore-volume", "disk", "--volume", "disk.img"];
        args.extend_from_slice(&["--to", s(&restored)]);
        args.extend_from_slice(extra);
        c.run(&args, None)
    };
    let first = restore(&[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json()["created"], true);
    assert!(
        same_bytes(&img, &restored),
        "the restored image equals the disk"
    );
    let meta = std::fs::metadata(&restored).expect("restored");
    assert!(
        meta.blocks() * 512 < 32 << 20,
        "holes stay holes: {} bytes on disk",
        meta.blocks() * 512
    );

    // An existing target is overwritten only when confirmed.
    put_file(&img, dir, "two.bin", &bytes(2, 2 * MIB));
    c.ok(&["job", "run", "disk"]);
    let before = std::fs::read(&restored).expect("restored");
    let refused = restore(&[]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("add --yes"), "{}", refused.stderr);
    assert_eq!(
        std::fs::read(&restored).expect("restored"),
        before,
        "nothing written"
    );

    // The second restore writes exactly the blocks that changed.
    let changed = differing_blocks(&img, &restored);
    assert!(changed >= 2, "the new file changed blocks: {changed}");
    let second = restore(&["--yes"]).json();
    assert_eq!(second["written"], changed, "{second}");
    assert_eq!(second["unchanged"], 64 - changed, "{second}");
    assert!(same_bytes(&img, &restored));
    tool("/usr/sbin/e2fsck", &["-fn", s(&restored)]);
    assert_eq!(
        restore(&["--yes"]).json()["written"],
        0,
        "a third restore writes nothing"
    );

    // A target smaller than the volume is refused.
    let small = dir.join("small.img");
    std::fs::write(&small, vec![0u8; 4096]).expect("small");
    let r = c.run(
        &[
            "restore-volume",
            "disk",
            "--volume",
            "disk.img",
            "--to",
            s(&small),
            "--yes",
        ],
        None,
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("less than the volume"), "{}", r.stderr);
    assert_eq!(
        results_of(&c.data, "Volume restore from disk"),
        ["success", "success", "success", "failed"],
        "a refused target is a failed session"
    );

    exports_compare_identical(&c, &img, dir);
    published_disk_reads_back(&c, &img, dir);
}

/// `export-disk` to each format; qemu-img finds each identical to the disk.
fn exports_compare_identical(c: &Cairn, img: &Path, dir: &Path) {
    for (format, qemu, checkable) in [
        ("raw", "raw", false),
        ("vmdk", "vmdk", true),
        ("vhd", "vpc", false),
        ("vhd-fixed", "vpc", false),
        ("vhdx", "vhdx", true),
    ] {
        let out = dir.join(format!("export.{format}"));
        let args = [
            "export-disk",
            "disk",
            "--volume",
            "disk.img",
            "--format",
            format,
        ];
        c.ok(&[&args[..], &["--out", s(&out)]].concat());
        let same = tool(
            "qemu-img",
            &["compare", "-f", "raw", "-F", qemu, s(img), s(&out)],
        );
        assert!(same.contains("Images are identical"), "{format}: {same}");
        if checkable {
            let check = tool("qemu-img", &["check", "-f", qemu, s(&out)]);
            assert!(check.contains("No errors"), "{format}: {check}");
        }
        let again = c.run(&[&args[..], &["--out", s(&out)]].concat(), None);
        assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    }
    let raw = std::fs::metadata(dir.join("export.raw")).expect("raw");
    assert!(raw.blocks() * 512 < 32 << 20, "the raw export is sparse");
}

/// `publish-disk` on a socket until SIGINT; `qemu-img convert nbd:` reads
/// the whole disk back, and the socket is gone afterwards.
fn published_disk_reads_back(c: &Cairn, img: &Path, dir: &Path) {
    let sock = dir.join("disk.sock");
    let mut child = Command::new(&c.bin)
        .arg("--data-dir")
        .arg(&c.data)
        .args([
            "publish-disk",
            "disk",
            "--volume",
            "disk.img",
            "--socket",
            s(&sock),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("publish-disk");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("ready line");
    assert!(
        line.contains("published read-only at nbd+unix://"),
        "{line}"
    );
    hostile_client_is_bounded(&sock);
    let back = dir.join("nbd.raw");
    let uri = format!("nbd+unix:///volume?socket={}", s(&sock));
    tool("qemu-img", &["convert", "-f", "raw", &uri, s(&back)]);
    assert!(
        same_bytes(img, &back),
        "the published disk reads back equal"
    );
    tool("kill", &["-INT", &child.id().to_string()]);
    let status = child.wait().expect("wait");
    assert!(
        status.success(),
        "publish-disk stops cleanly on Ctrl+C: {status}"
    );
    assert!(!sock.exists(), "the socket is removed");
    assert_eq!(results_of(&c.data, "Published disk from disk"), ["success"]);
}

/// A hand-driven NBD client: a read past the end and a write are refused
/// with errors, an oversized request closes only its own connection.
fn hostile_client_is_bounded(sock: &Path) {
    use std::io::{Read, Write};
    let connect = || {
        let mut c = std::os::unix::net::UnixStream::connect(sock).expect("connect");
        let mut hello = [0u8; 18];
        c.read_exact(&mut hello).expect("hello");
        assert_eq!(&hello[..8], b"NBDMAGIC");
        c.write_all(&3u32.to_be_bytes()).expect("flags");
        // NBD_OPT_EXPORT_NAME "volume": size and flags come back.
        let mut opt = b"IHAVEOPT".to_vec();
        opt.extend_from_slice(&1u32.to_be_bytes());
        opt.extend_from_slice(&6u32.to_be_bytes());
        opt.extend_from_slice(b"volume");
        c.write_all(&opt).expect("option");
        let mut info = [0u8; 10];
        c.read_exact(&mut info).expect("export info");
        assert_eq!(
            u64::from_be_bytes(info[..8].try_into().expect("8")),
            64 << 20
        );
        assert_ne!(u16::from_be_bytes([info[8], info[9]]) & 2, 0, "read-only");
        c
    };
    let request = |c: &mut std::os::unix::net::UnixStream, kind: u16, offset: u64, len: u32| {
        let mut r = 0x2560_9513u32.to_be_bytes().to_vec();
        r.extend_from_slice(&0u16.to_be_bytes());
        r.extend_from_slice(&kind.to_be_bytes());
        r.extend_from_slice(&7u64.to_be_bytes());
        r.extend_from_slice(&offset.to_be_bytes());
        r.extend_from_slice(&len.to_be_bytes());
        c.write_all(&r).expect("request");
    };
    let error_of = |c: &mut std::os::unix::net::UnixStream| {
        let mut reply = [0u8; 16];
        c.read_exact(&mut reply).expect("reply");
        u32::from_be_bytes(reply[4..8].try_into().expect("4"))
    };
    let mut c = connect();
    request(&mut c, 0, (64 << 20) - 512, 4096);
    assert_eq!(error_of(&mut c), 22, "a read past the end is EINVAL");
    request(&mut c, 1, 0, 4);
    c.write_all(b"evil").expect("payload");
    assert_eq!(error_of(&mut c), 1, "a write is EPERM");
    request(&mut c, 0, 0, u32::MAX);
    let mut rest = Vec::new();
    let _ = c.read_to_end(&mut rest);
    assert!(
        rest.is_empty(),
        "an oversized request closes the connection"
    );
}

/// A 64 MiB ext4 image with one file and a Volume-level job `disk` that
/// has backed it up once.
fn backed_up_image(dir: &Path) -> (Cairn, std::path::PathBuf) {
    let img = dir.join("disk.img");
    std::fs::File::create(&img)
        .and_then(|f| f.set_len(64 << 20))
        .expect("image");
    tool("/usr/sbin/mkfs.ext4", &["-q", "-F", s(&img)]);
    put_file(&img, dir, "one.bin", &bytes(1, 3 * MIB));
    let c = Cairn::new(dir);
    let repo = "Default Backup Repository";
    c.ok(&[
        "job",
        "create",
        "backup",
        "disk",
        "--repo",
        repo,
        "--volume",
        s(&img),
    ]);
    c.ok(&["job", "run", "disk"]);
    (c, img)
}

fn step_title(w: &Window) -> String {
    w.texts(".wizard-step.active").join("")
}

fn next_to(w: &Window, step: &str) {
    w.click_on("#wiz-next");
    w.wait_until(&format!("step {step}"), |w| {
        let e = w.texts(".wiz-error").join(" ");
        assert!(
            e.is_empty() || step_title(w) == step,
            "at {}: {e}",
            step_title(w)
        );
        step_title(w) == step
    });
}

/// Restore ▾ Entire computer / volume… up to the Mode step.
fn wizard_to_mode(w: &Window, shots: bool) {
    w.click_on("[data-view='home']");
    w.click_on("[data-node='backups']");
    w.click_on("#ribbon-restore");
    w.click_on("#restore-volume");
    w.wait_until("the volume wizard", |w| step_title(w) == "Machine");
    w.click_on("#restore-machines tbody td");
    next_to(w, "Restore Point");
    w.wait_until("the restore points", |w| {
        !w.find_all("#restore-points tr.selected").is_empty()
    });
    next_to(w, "Volumes");
    w.wait_until("the volume", |w| {
        !w.find_all("#volume-list tr.selected").is_empty()
    });
    if shots {
        w.screenshot("volume-1-volumes");
    }
    next_to(w, "Mode");
}

#[test]
fn the_volume_wizard_exports_a_vhdx_and_restores_over_a_confirmed_image() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (c, img) = backed_up_image(dir);
    let w = Window::open(&["--data-dir", s(&c.data)]);

    // Export as VHDX.
    wizard_to_mode(&w, true);
    w.choose("#volume-mode", "export");
    w.choose("#volume-format", "vhdx");
    w.screenshot("volume-2-mode");
    next_to(&w, "Destination");
    let vhdx = dir.join("exported.vhdx");
    w.type_into(&w.wait_for("#volume-target"), s(&vhdx));
    next_to(&w, "Summary");
    let summary = w.texts("#volume-summary").join(" ");
    assert!(
        summary.contains("VHDX") && summary.contains("64.0 MB"),
        "{summary}"
    );
    w.screenshot("volume-3-summary");
    w.click_on("#wiz-next");
    w.session_succeeds("volume-4-export-session");
    let same = tool(
        "qemu-img",
        &["compare", "-f", "raw", "-F", "vhdx", s(&img), s(&vhdx)],
    );
    assert!(same.contains("Images are identical"), "{same}");

    // Restore over an existing image: its name must be typed first.
    let target = dir.join("target.img");
    std::fs::write(&target, vec![7u8; 64 << 20]).expect("target");
    wizard_to_mode(&w, false);
    next_to(&w, "Destination");
    w.type_into(&w.wait_for("#volume-target"), s(&target));
    w.click_on("#wiz-next");
    w.wait_until("the overwrite is to be confirmed", |w| {
        w.texts(".wiz-error").join(" ").contains("type its name")
    });
    w.screenshot("volume-5-confirm");
    w.type_into(&w.wait_for("#volume-confirm"), "target.img");
    next_to(&w, "Summary");
    w.click_on("#wiz-next");
    w.session_succeeds("volume-6-restore-session");
    assert!(same_bytes(&img, &target), "the target now holds the volume");
    // The sessions are named after the job, not the backup id.
    assert_eq!(results_of(&c.data, "Disk export from disk"), ["success"]);
    assert_eq!(results_of(&c.data, "Volume restore from disk"), ["success"]);
}
