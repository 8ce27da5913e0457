"""Tests of generate.py through its command line: `python3 -m unittest discover tools/product-names`."""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATE = os.path.join(HERE, "generate.py")
MARKDOWN = os.path.join(HERE, "testdata", "licensing-service-plan-reference.md")


def generate(path, *args):
    done = subprocess.run(
        [sys.executable, GENERATE, path, "--date", "2025-10-29", *args],
        capture_output=True,
        text=True,
    )
    return done


def products(stdout):
    return [line.split("\t") for line in stdout.splitlines() if not line.startswith("#")]


class Markdown(unittest.TestCase):
    def setUp(self):
        self.done = generate(MARKDOWN, "--commit", "abc123")
        self.assertEqual(self.done.returncode, 0, self.done.stderr)

    def test_the_first_table_becomes_one_line_a_product_sorted_by_part_number(self):
        rows = products(self.done.stdout)
        self.assertEqual([row[1] for row in rows], ["10_ALR_ADDON", "AAD_PREMIUM_P2", "RIGHTSMANAGEMENT", "SPZA_IW"])
        p2 = rows[1]
        self.assertEqual(p2[:3], ["84a661c4-e949-4bd2-a560-ed7766fcaf2b", "AAD_PREMIUM_P2", "Microsoft Entra ID P2"])
        self.assertEqual(p2[4], "eec0eb4f-6444-4f95-aba0-50c24d67f998:AAD_PREMIUM_P2")
        self.assertEqual(len(p2), 3 + 5)

    def test_cells_are_trimmed_of_tabs_and_extra_spaces(self):
        spza = products(self.done.stdout)[3]
        self.assertEqual(spza[0], "8f0c5670-4e56-4892-b06d-91c085d7004f")
        self.assertEqual(products(self.done.stdout)[2][2], "Azure Information Protection Plan 1")

    def test_the_header_records_the_source(self):
        source = [line for line in self.done.stdout.splitlines() if line.startswith("# source\t")]
        self.assertEqual(source, ["\t".join(["# source", MARKDOWN, "MicrosoftDocs/entra-docs", "abc123", "2025-10-29"])])

    def test_malformed_and_repeated_rows_are_skipped_and_reported_with_their_line(self):
        self.assertIn(":14: row skipped: the GUID is not a GUID: '1234-not-a-guid'", self.done.stderr)
        self.assertIn(":15: row skipped: a service plan id is not a GUID", self.done.stderr)
        self.assertIn(":16: row skipped: skuId 8f0c5670-4e56-4892-b06d-91c085d7004f was listed before", self.done.stderr)
        self.assertNotIn("BROKEN", self.done.stdout)
        self.assertNotIn("LATER_TABLE", self.done.stdout)


class Csv(unittest.TestCase):
    def test_rows_of_one_product_are_gathered_and_a_repeated_plan_kept_once(self):
        text = (
            "\ufeffProduct_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n"
            "Microsoft Entra ID P2,AAD_PREMIUM_P2,84a661c4-e949-4bd2-a560-ed7766fcaf2b,AAD_PREMIUM,41781fb2-bc02-4b7c-bd55-b576c07bb09d,Microsoft Entra ID P1\n"
            "\"Teams, shared\",MCOCAP\u00a0,420c7602-7f70-4895-9394-d3d679ea36fb\u00a0,TEAMS1,57ff2da0-773e-42df-b2af-ffb7a2317929,Microsoft Teams\n"
            "Microsoft Entra ID P2,AAD_PREMIUM_P2,84a661c4-e949-4bd2-a560-ed7766fcaf2b,AAD_PREMIUM_P2,eec0eb4f-6444-4f95-aba0-50c24d67f998,Microsoft Entra ID P2\n"
            "Microsoft Entra ID P2,AAD_PREMIUM_P2,84a661c4-e949-4bd2-a560-ed7766fcaf2b,AAD_PREMIUM,41781fb2-bc02-4b7c-bd55-b576c07bb09d,Microsoft Entra ID P1\n"
            "Broken,BROKEN,84a661c4-e949-4bd2-a560-ed7766fcaf2,AAD_PREMIUM,41781fb2-bc02-4b7c-bd55-b576c07bb09d,Microsoft Entra ID P1\n"
        )
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "licensing.csv")
            with open(path, "w", encoding="utf-8") as file:
                file.write(text)
            done = generate(path)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(
            products(done.stdout),
            [
                ["84a661c4-e949-4bd2-a560-ed7766fcaf2b", "AAD_PREMIUM_P2", "Microsoft Entra ID P2",
                 "41781fb2-bc02-4b7c-bd55-b576c07bb09d:AAD_PREMIUM", "eec0eb4f-6444-4f95-aba0-50c24d67f998:AAD_PREMIUM_P2"],
                ["420c7602-7f70-4895-9394-d3d679ea36fb", "MCOCAP", "Teams, shared", "57ff2da0-773e-42df-b2af-ffb7a2317929:TEAMS1"],
            ],
        )
        self.assertIn(":5: plan 41781fb2-bc02-4b7c-bd55-b576c07bb09d is listed twice", done.stderr)
        self.assertIn(":6: row skipped: the GUID is not a GUID", done.stderr)


class Refusals(unittest.TestCase):
    def test_a_file_without_the_table_is_an_error(self):
        with tempfile.NamedTemporaryFile("w", suffix=".md") as file:
            file.write("# No table here\n")
            file.flush()
            done = generate(file.name)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("no table whose header is", done.stderr)


if __name__ == "__main__":
    unittest.main()
