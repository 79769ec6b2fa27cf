//! `hearth-screenshots DIR`: opens the app in a fresh home and saves a
//! screenshot of every screen in English and German (used by
//! `cargo xtask demo --screenshots DIR`).

use std::path::PathBuf;

use hearth_e2e::{App, tour};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args_os()
            .nth(1)
            .ok_or("usage: hearth-screenshots DIR")?,
    );
    std::fs::create_dir_all(&dir)?;
    let home = tempfile::tempdir()?;
    let app = App::launch(home.path()).await?;
    let mut problems = tour(&app, "en", Some(&dir)).await?;
    problems.extend(tour(&app, "de", Some(&dir)).await?);
    app.quit().await?;
    for p in &problems {
        eprintln!("accessibility: {p}");
    }
    for entry in std::fs::read_dir(&dir)? {
        println!("{}", entry?.path().display());
    }
    Ok(())
}
