/**
 * The part of dcmjs's API the DICOM code uses (dcmjs ships no types). Datasets are
 * "naturalized" objects keyed by DICOM keyword; values are checked where they are read.
 */
declare module 'dcmjs' {
  type NaturalDataset = { [keyword: string]: unknown };
  type DenaturalizedDataset = { [tag: string]: unknown };
  interface DicomDict {
    meta: DenaturalizedDataset;
    dict: DenaturalizedDataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: DenaturalizedDataset) => DicomDict;
      DicomMetaDictionary: {
        naturalizeDataset(dataset: DenaturalizedDataset): NaturalDataset;
        denaturalizeDataset(dataset: NaturalDataset): DenaturalizedDataset;
      };
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean }): DicomDict;
      };
    };
  };
  export default dcmjs;
}
