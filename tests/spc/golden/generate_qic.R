# Expected run / attribute chart outputs, computed by qicharts2::qic() itself.
#
# Usage (from the repository root, with qicharts2 installed from source):
#   R_LIBS=/work/rlib Rscript tests/spc/golden/generate_qic.R [case_dir ...]
#
# Case directories are named <chart>_<case> with chart one of run, p, pp, u, up,
# c, g. For each series, qic() is called on its own with return.data = TRUE:
#   rebase             -> part  (a new part starts at each listed x that exists
#                                in the series; part index = its position - 1)
#   fix_after_n_points -> freeze
#   screen_outliers    -> options(qic.screenedmr = ...) (TRUE unless "false")
# improvement_direction and target do not change qic()'s numbers and are unused.

suppressPackageStartupMessages({
  library(qicharts2) # attaching sets options(qic.screenedmr = TRUE), as users get it
})

script_dir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f)) dirname(normalizePath(f)) else "tests/spc/golden"
})

fmt <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))
fmt_int <- function(v) ifelse(is.na(v), "", format(v, scientific = FALSE, trim = TRUE))
fmt_lgl <- function(v) ifelse(is.na(v), "", ifelse(v, "true", "false"))

is_iso_date <- function(s) all(grepl("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", s[s != ""]))
as_x <- function(s, dates) if (dates) as.Date(s) else as.numeric(s)

split_rebase <- function(s) {
  if (is.na(s) || s == "") return(character())
  trimws(strsplit(s, ";", fixed = TRUE)[[1]])
}

run_series <- function(d, o, chart, dates) {
  xs <- as_x(d$x, dates)
  ord <- order(xs)
  d <- d[ord, , drop = FALSE]
  xs <- xs[ord]
  num <- function(v) suppressWarnings(as.numeric(ifelse(v == "", NA, v)))
  df <- data.frame(x = xs, y = num(d$y))
  use_n <- chart %in% c("p", "pp", "u", "up") ||
    (chart == "run" && !is.null(d$n) && any(d$n != ""))
  if (use_n) df$n <- num(d$n)

  rebase <- split_rebase(o$rebase)
  part_idx <- NULL
  if (length(rebase)) {
    pos <- which(xs %in% as_x(rebase, dates))
    if (length(pos)) part_idx <- pos - 1
  }
  freeze_n <- if (!is.na(o$fix_after_n_points) && o$fix_after_n_points != "") {
    as.integer(o$fix_after_n_points)
  } else {
    NULL
  }
  screen <- !(!is.na(o$screen_outliers) && tolower(o$screen_outliers) == "false")
  old <- options(qic.screenedmr = screen)
  on.exit(options(old), add = TRUE)

  warns <- character()
  handler <- function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  }
  res <- withCallingHandlers(
    if (use_n) {
      qic(x, y, n, data = df, chart = chart, part = part_idx, freeze = freeze_n,
          return.data = TRUE)
    } else {
      qic(x, y, data = df, chart = chart, part = part_idx, freeze = freeze_n,
          return.data = TRUE)
    },
    warning = handler
  )
  res <- res[order(res$x), , drop = FALSE]
  stopifnot(nrow(res) == nrow(d))
  points <- data.frame(
    x = d$x,
    y = d$y,
    n = if (!is.null(d$n)) d$n else "",
    value = fmt(res$y),
    centre = fmt(res$cl),
    lpl = fmt(res$lcl),
    upl = fmt(res$ucl),
    sigma_signal = fmt_lgl(res$sigma.signal),
    stringsAsFactors = FALSE
  )
  last <- res[res$part == max(res$part), , drop = FALSE][1, ]
  summary <- data.frame(
    n_points = nrow(d),
    longest_run = fmt_int(last$longest.run),
    longest_run_max = fmt_int(last$longest.run.max),
    n_crossings = fmt_int(last$n.crossings),
    n_crossings_min = fmt_int(last$n.crossings.min),
    runs_signal = fmt_lgl(last$runs.signal),
    stringsAsFactors = FALSE
  )
  list(points = points, summary = summary, warnings = unique(warns))
}

run_case <- function(dir) {
  chart <- sub("_.*$", "", basename(dir))
  stopifnot(chart %in% c("run", "p", "pp", "u", "up", "c", "g"))
  input <- read.csv(file.path(dir, "input.csv"), colClasses = "character", na.strings = character())
  opt_file <- file.path(dir, "options.csv")
  options_df <- if (file.exists(opt_file)) {
    read.csv(opt_file, colClasses = "character", na.strings = character())
  } else {
    data.frame(series = character())
  }
  dates <- is_iso_date(input$x)
  series <- sort(unique(input$series), method = "radix")
  pts <- list()
  sums <- list()
  warns <- character()
  errs <- character()
  for (s in series) {
    d <- input[input$series == s, , drop = FALSE]
    o <- options_df[options_df$series == s, , drop = FALSE]
    if (nrow(o) == 0) {
      o <- data.frame(series = s, improvement_direction = "", target = "", rebase = "",
                      fix_after_n_points = "", screen_outliers = "")
    }
    r <- tryCatch(run_series(d, o[1, ], chart, dates), error = function(e) e)
    if (inherits(r, "error")) {
      errs <- c(errs, paste0(s, ": ", gsub("\n", " ", conditionMessage(r))))
      next
    }
    pts[[s]] <- cbind(series = s, r$points, stringsAsFactors = FALSE)
    sums[[s]] <- cbind(series = s, r$summary, stringsAsFactors = FALSE)
    if (length(r$warnings)) warns <- c(warns, paste0(s, ": ", gsub("\n", " ", r$warnings)))
  }
  outs <- c("expected.csv", "expected_summary.csv", "expected_warnings.txt", "expected_error.txt")
  for (f in outs) if (file.exists(file.path(dir, f))) file.remove(file.path(dir, f))
  if (length(pts)) {
    write.csv(do.call(rbind, pts), file.path(dir, "expected.csv"), row.names = FALSE,
              quote = FALSE, na = "")
    write.csv(do.call(rbind, sums), file.path(dir, "expected_summary.csv"), row.names = FALSE,
              quote = FALSE, na = "")
  }
  if (length(warns)) writeLines(warns, file.path(dir, "expected_warnings.txt"))
  if (length(errs)) writeLines(errs, file.path(dir, "expected_error.txt"))
  cat(sprintf("%-28s %-4s %3d series %4d points %s%s\n", basename(dir), chart, length(series),
              nrow(input), if (length(warns)) paste0(length(warns), " warning(s) ") else "",
              if (length(errs)) paste0(length(errs), " error(s)") else ""))
}

args <- commandArgs(trailingOnly = TRUE)
dirs <- if (length(args)) {
  args
} else {
  all <- Sys.glob(file.path(script_dir, "*_*"))
  sort(all[dir.exists(all) & grepl("^(run|p|pp|u|up|c|g)_", basename(all))])
}
for (d in dirs) run_case(d)
cat("qicharts2", as.character(packageVersion("qicharts2")), "\n")
