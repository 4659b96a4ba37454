#pragma once
// A strict checker for Prometheus text exposition format 0.0.4, written from
// the format's specification (prometheus/docs exposition_formats.md), used to
// check clnrm's --metrics-file output without trusting the writer.
// Returns the list of problems ("line N: ..."); empty means valid.

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace clnrm::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromParse {
  std::vector<std::string> errors;
  std::map<std::string, std::string> types;  // family -> type
  std::map<std::string, std::string> help;
  std::vector<PromSample> samples;
};

inline bool is_metric_name(std::string_view s) {
  if (s.empty()) return false;
  auto first_ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  };
  if (!first_ok(s[0])) return false;
  for (char c : s) {
    if (!(first_ok(c) || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

inline bool is_label_name(std::string_view s) {
  if (s.empty()) return false;
  auto first_ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!first_ok(s[0])) return false;
  for (char c : s) {
    if (!(first_ok(c) || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Go's ParseFloat forms Prometheus accepts: decimal/exponent, NaN, +Inf, -Inf.
inline bool parse_value(std::string_view s, double& out) {
  if (s == "NaN") {
    out = NAN;
    return true;
  }
  if (s == "+Inf" || s == "Inf") {
    out = INFINITY;
    return true;
  }
  if (s == "-Inf") {
    out = -INFINITY;
    return true;
  }
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
      return false;
  }
  std::string tmp(s);
  char* end = nullptr;
  out = std::strtod(tmp.c_str(), &end);
  return end == tmp.c_str() + tmp.size();
}

// The family a sample name belongs to, given the declared types.
inline std::string family_of(const std::string& name,
                             const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      std::string base = name.substr(0, name.size() - suffix.size());
      auto it = types.find(base);
      if (it != types.end() &&
          (it->second == "histogram" || (it->second == "summary" && suffix != "_bucket")))
        return base;
    }
  }
  return name;
}

inline PromParse validate_prometheus_text(std::string_view text) {
  PromParse p;
  auto err = [&](std::size_t line, const std::string& msg) {
    p.errors.push_back("line " + std::to_string(line) + ": " + msg);
  };
  if (!text.empty() && text.back() != '\n') err(0, "the exposition must end with a line feed");

  std::set<std::string> finished_families;  // families whose block of lines ended
  std::string current_family;
  std::set<std::string> series;
  std::set<std::string> families_with_samples;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  auto enter_family = [&](const std::string& fam, std::size_t ln) {
    if (fam == current_family) return;
    if (!current_family.empty()) finished_families.insert(current_family);
    if (finished_families.count(fam)) err(ln, "lines of family " + fam + " are not together");
    current_family = fam;
  };
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.find('\r') != std::string_view::npos) err(line_no, "carriage return");
    if (line[0] == '#') {
      // "# HELP name text" / "# TYPE name type"; any other comment is ignored.
      std::string_view rest = line.substr(1);
      while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t')) rest.remove_prefix(1);
      const bool is_help = rest.substr(0, 5) == "HELP " || rest == "HELP";
      const bool is_type = rest.substr(0, 5) == "TYPE " || rest == "TYPE";
      if (!is_help && !is_type) continue;
      rest.remove_prefix(std::min<std::size_t>(5, rest.size()));
      std::size_t sp = rest.find(' ');
      std::string name(rest.substr(0, sp));
      std::string_view arg =
          sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
      if (!is_metric_name(name)) {
        err(line_no, "bad metric name '" + name + "'");
        continue;
      }
      enter_family(name, line_no);
      if (is_help) {
        if (p.help.count(name)) err(line_no, "second HELP for " + name);
        for (std::size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] == '\\') {
            if (i + 1 >= arg.size() || (arg[i + 1] != '\\' && arg[i + 1] != 'n'))
              err(line_no, "bad escape in HELP");
            ++i;
          }
        }
        p.help[name] = std::string(arg);
      } else {
        static const std::set<std::string_view> kTypes = {"counter", "gauge", "histogram",
                                                          "summary", "untyped"};
        if (!kTypes.count(arg)) err(line_no, "bad type '" + std::string(arg) + "'");
        if (p.types.count(name)) err(line_no, "second TYPE for " + name);
        if (families_with_samples.count(name)) err(line_no, "TYPE after samples of " + name);
        p.types[name] = std::string(arg);
      }
      continue;
    }
    // sample: name [{labels}] value [timestamp]
    PromSample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = std::string(line.substr(0, i));
    if (!is_metric_name(s.name)) {
      err(line_no, "bad metric name '" + s.name + "'");
      continue;
    }
    std::string canonical = s.name + "{";
    if (i < line.size() && line[i] == '{') {
      ++i;
      bool ok = true;
      while (ok && i < line.size() && line[i] != '}') {
        std::size_t eq = line.find('=', i);
        if (eq == std::string_view::npos) {
          ok = false;
          break;
        }
        std::string lname(line.substr(i, eq - i));
        if (!is_label_name(lname) || lname.rfind("__", 0) == 0) {
          err(line_no, "bad label name '" + lname + "'");
          ok = false;
          break;
        }
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') {
          err(line_no, "label value not quoted");
          ok = false;
          break;
        }
        ++i;
        std::string value;
        bool closed = false;
        while (i < line.size()) {
          char c = line[i];
          if (c == '\\') {
            if (i + 1 >= line.size()) break;
            char n = line[i + 1];
            if (n == '\\')
              value += '\\';
            else if (n == '"')
              value += '"';
            else if (n == 'n')
              value += '\n';
            else {
              err(line_no, std::string("bad escape \\") + n + " in label value");
              ok = false;
            }
            i += 2;
            continue;
          }
          if (c == '"') {
            closed = true;
            ++i;
            break;
          }
          value += c;
          ++i;
        }
        if (!closed) {
          err(line_no, "unterminated label value");
          ok = false;
          break;
        }
        if (s.labels.count(lname)) {
          err(line_no, "duplicate label " + lname);
          ok = false;
        }
        s.labels[lname] = value;
        if (i < line.size() && line[i] == ',')
          ++i;
        else if (i < line.size() && line[i] != '}') {
          err(line_no, "expected , or } after a label");
          ok = false;
        }
      }
      if (!ok) continue;
      if (i >= line.size() || line[i] != '}') {
        err(line_no, "missing }");
        continue;
      }
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      err(line_no, "missing value");
      continue;
    }
    std::string_view rest = line.substr(i + 1);
    std::size_t sp = rest.find(' ');
    std::string_view value = rest.substr(0, sp);
    if (!parse_value(value, s.value)) {
      err(line_no, "bad value '" + std::string(value) + "'");
      continue;
    }
    if (sp != std::string_view::npos) {
      std::string_view ts = rest.substr(sp + 1);
      if (ts.empty() || ts.find_first_not_of("-0123456789") != std::string_view::npos)
        err(line_no, "bad timestamp");
    }
    const std::string fam = family_of(s.name, p.types);
    enter_family(fam, line_no);
    families_with_samples.insert(fam);
    auto t = p.types.find(fam);
    if (t != p.types.end()) {
      if ((t->second == "counter" || t->second == "gauge" || t->second == "untyped") &&
          s.name != fam)
        err(line_no, "sample name differs from its family");
      if (t->second == "histogram" && s.name == fam)
        err(line_no, "histogram sample without _bucket/_sum/_count");
      if (t->second == "histogram" && s.name == fam + "_bucket" && !s.labels.count("le"))
        err(line_no, "bucket without le");
      if (t->second == "counter" && s.value < 0) err(line_no, "negative counter");
    }
    for (const auto& [k, v] : s.labels) canonical += k + "=" + v + ",";
    if (!series.insert(canonical).second) err(line_no, "duplicate series " + canonical);
    p.samples.push_back(std::move(s));
  }

  // Histograms: cumulative buckets ending in +Inf equal to _count.
  for (const auto& [fam, type] : p.types) {
    if (type != "histogram") continue;
    std::map<std::string, std::vector<std::pair<double, double>>>
        buckets;  // other labels -> (le, count)
    std::map<std::string, double> counts;
    for (const auto& s : p.samples) {
      std::string key;
      for (const auto& [k, v] : s.labels)
        if (k != "le") key += k + "=" + v + ",";
      if (s.name == fam + "_bucket") {
        double le = 0;
        if (!parse_value(s.labels.at("le"), le)) {
          err(0, fam + ": bad le");
          continue;
        }
        buckets[key].emplace_back(le, s.value);
      } else if (s.name == fam + "_count") {
        counts[key] = s.value;
      }
    }
    for (const auto& [key, bs] : buckets) {
      for (std::size_t i = 1; i < bs.size(); ++i) {
        if (bs[i].first <= bs[i - 1].first) err(0, fam + ": buckets not in increasing le order");
        if (bs[i].second < bs[i - 1].second) err(0, fam + ": bucket counts not cumulative");
      }
      if (bs.empty() || !std::isinf(bs.back().first))
        err(0, fam + ": no le=\"+Inf\" bucket");
      else if (!counts.count(key) || counts[key] != bs.back().second)
        err(0, fam + ": +Inf bucket differs from _count");
    }
  }
  return p;
}

}  // namespace clnrm::testing
